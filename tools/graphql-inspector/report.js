// --onComplete of `graphql-inspector diff`: the changes as one JSON line for tools/schema_diff.py
module.exports = (result) => {
  process.stdout.write("SCHEMA_DIFF_JSON " + JSON.stringify(result) + "\n");
};
