import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import {
  explainCheckError,
  explainInventoryError,
  inventoryProblem,
  readInventory,
} from "../../src/check/inventory.ts";
import { sampleCheck } from "../harness/check-definition.ts";

const check: CheckDefinition = sampleCheck("db_size", {
  description: "sizes",
  columns: [{ name: "size", type: "bigint" }],
  unit: "B",
  variants: [{ minMajor: 12, body: "SELECT 1", hash: "h12" }, { minMajor: 17, body: "SELECT 2", hash: "h17" }],
});
const options = { schema: "posemo", timeoutMs: 10_000 };

describe("inventoryProblem()", () => {
  const rows = (version: string, hash: string | null, server = 160004) =>
    readInventory([{
      posemo_version: version,
      server_version_num: server,
      check_name: hash ? "db_size" : null,
      check_hash: hash,
    }]);

  test("a matching version and hash is fine; the hash is the one for the server's major", () => {
    expect(inventoryProblem(check, rows("1.0.0", "h12"), "1.0.0")).toBeUndefined();
    expect(inventoryProblem(check, rows("1.0.0", "h17", 170002), "1.0.0")).toBeUndefined();
  });

  test("another posemo version: an unchanged check still runs; a changed or new one names both versions", () => {
    expect(inventoryProblem(check, rows("0.0.1", "h12"), "1.0.0")).toBeUndefined();
    const upgrade =
      "the posemo functions are version 0.0.1 but this binary is 1.0.0: run posemo install as a superuser to upgrade";
    expect(inventoryProblem(check, rows("0.0.1", "older"), "1.0.0")).toBe(upgrade);
    expect(inventoryProblem(check, rows("0.0.1", null), "1.0.0")).toBe(upgrade);
  });

  test("another build of the check, and a check not installed", () => {
    expect(inventoryProblem(check, rows("1.0.0", "old"), "1.0.0")).toContain(
      "different posemo build (old, expected h12): run posemo install",
    );
    expect(inventoryProblem(check, rows("1.0.0", null), "1.0.0")).toBe("not-installed");
  });
});

describe("explainCheckError()", () => {
  test("denied calling the function: the monitoring role needs EXECUTE on it", () => {
    expect(
      explainCheckError(
        { kind: "privilege", message: "permission denied for function db_size", sqlstate: "42501" },
        check,
        options,
      ),
    ).toBe(
      "permission denied for function db_size: the monitoring role needs EXECUTE on posemo.db_size() (run posemo install)",
    );
  });

  test("denied something inside the function: the owner role lacks it, not EXECUTE", () => {
    const text = explainCheckError(
      { kind: "privilege", message: 'permission denied for database "app"', sqlstate: "42501" },
      check,
      options,
    );
    expect(text).toStartWith('permission denied for database "app": the functions\' owner role lacks it');
    expect(text).not.toContain("EXECUTE");
  });

  test("a cancelled statement names the timeout", () => {
    expect(
      explainCheckError({ kind: "cancelled", message: "canceling statement due to statement timeout" }, check, options),
    ).toBe("no answer within the 10 s timeout (canceling statement due to statement timeout)");
  });

  test("only the check's own function (or posemo's schema) missing means install; one its body calls is its error", () => {
    const missing = (message: string, sqlstate = "42883") =>
      explainCheckError({ kind: "missing-function", message, sqlstate }, check, options);
    expect(missing("function posemo.db_size() does not exist")).toBe(
      'check "db_size" is not installed: run posemo install',
    );
    expect(missing('schema "posemo" does not exist', "3F000")).toBe(
      'check "db_size" is not installed: run posemo install',
    );
    expect(missing("function public.gone_fn() does not exist")).toBe("function public.gone_fn() does not exist");
    expect(missing('schema "app" does not exist', "3F000")).toBe('schema "app" does not exist');
  });
});

describe("explainInventoryError()", () => {
  test("missing functions say to run posemo install; a login failure says so", () => {
    expect(explainInventoryError({ kind: "missing-function", message: 'schema "posemo" does not exist' }, "posemo"))
      .toBe('posemo is not installed here (schema "posemo" does not exist): run posemo install as a superuser');
    expect(
      explainInventoryError({
        kind: "auth",
        message: 'password authentication failed for user "posemo"',
        sqlstate: "28P01",
      }, "posemo"),
    ).toStartWith(
      'cannot log in: password authentication failed for user "posemo": give the monitoring role\'s password with --password-file',
    );
  });
});
