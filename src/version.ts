/** The posemo version; install records it and check compares against it. Keep in step with package.json. */
export const POSEMO_VERSION = "0.1.0";
