/**
 * Writes docs/integrations/zabbix/posemo_template.yaml (the Zabbix template for `--format zabbix`)
 * from the catalogue. With `--check`, exits 1 when the file is stale instead of writing it. Run it
 * after `npm run gen` whenever checks/ changes.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { catalogue } from "../src/catalogue/catalogue.generated.ts";
import { renderZabbixTemplate } from "../src/output/zabbix-template.ts";

/** Where the template lives, relative to the repository root. */
export const ZABBIX_TEMPLATE_PATH = "docs/integrations/zabbix/posemo_template.yaml";

if (import.meta.main) {
  const target = join(resolve(import.meta.dirname, ".."), ZABBIX_TEMPLATE_PATH);
  const text = renderZabbixTemplate(catalogue);
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (current !== text) {
      console.error(`${ZABBIX_TEMPLATE_PATH} is stale: run bun scripts/gen-zabbix-template.ts`);
      process.exit(1);
    }
    console.log(`${ZABBIX_TEMPLATE_PATH} is fresh`);
  } else if (current !== text) {
    writeFileSync(target, text);
    console.log(`wrote ${ZABBIX_TEMPLATE_PATH}`);
  }
}
