// Writes the Foxglove message schemas as .proto files, using the generator that ships in the npm
// package @foxglove/schemas (field numbers come from the package, never typed by hand).
//   node gen_foxglove_protos.mjs OUT_DIR   writes OUT_DIR/foxglove/<Name>.proto (unchanged files
//                                          are left alone so the build does not redo protoc)
//   node gen_foxglove_protos.mjs --list     prints the schema names, ';'-separated, for CMake
import fs from "node:fs";
import path from "node:path";
import internal from "@foxglove/schemas/internal.js";

const { generateProto, foxgloveMessageSchemas, foxgloveEnumSchemas } = internal;

const schemas = Object.values(foxgloveMessageSchemas).sort((a, b) => a.name.localeCompare(b.name));

if (process.argv[2] === "--list") {
  process.stdout.write(schemas.map((schema) => schema.name).join(";"));
  process.exit(0);
}
const outDir = process.argv[2];
if (!outDir) {
  console.error("usage: gen_foxglove_protos.mjs OUT_DIR | --list");
  process.exit(2);
}
fs.mkdirSync(path.join(outDir, "foxglove"), { recursive: true });
for (const schema of schemas) {
  // Enums are nested in the message that owns them, as in Foxglove's own published .proto files.
  const enums = Object.values(foxgloveEnumSchemas).filter((e) => e.parentSchemaName === schema.name);
  const text = generateProto(schema, enums);
  const file = path.join(outDir, "foxglove", `${schema.name}.proto`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
  }
}
