#!/usr/bin/env bash
# Refresh the GraphiQL page's third-party files in vendor/ from the npm registry (`make graphiql-assets`).
# The versions are those Strawberry's own GraphiQL page loads (strawberry/static/graphiql.html);
# change them here, run this, and commit vendor/ (files, licences and SHA256SUMS) together.
set -euo pipefail

REACT=18.2.0
GRAPHIQL=3.8.3
PLUGIN_EXPLORER=1.0.2
GRAPHIQL_EXPLORER=0.9.0 # bundled inside the explorer plugin's UMD file: only its licence is copied

here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "react@$REACT" "react-dom@$REACT" "graphiql@$GRAPHIQL" \
  "@graphiql/plugin-explorer@$PLUGIN_EXPLORER" "graphiql-explorer@$GRAPHIQL_EXPLORER" >/dev/null
for archive in *.tgz; do
  mkdir "${archive%.tgz}"
  tar -xzf "$archive" -C "${archive%.tgz}"
done

rm -rf "$vendor"
mkdir -p "$vendor"
cp "react-$REACT/package/umd/react.production.min.js" "$vendor/react.production.min.js"
cp "react-dom-$REACT/package/umd/react-dom.production.min.js" "$vendor/react-dom.production.min.js"
cp "graphiql-$GRAPHIQL/package/graphiql.min.js" "$vendor/graphiql.min.js"
cp "graphiql-$GRAPHIQL/package/graphiql.min.css" "$vendor/graphiql.min.css"
cp "graphiql-plugin-explorer-$PLUGIN_EXPLORER/package/dist/index.umd.js" \
  "$vendor/graphiql-plugin-explorer.umd.js"
cp "graphiql-plugin-explorer-$PLUGIN_EXPLORER/package/dist/style.css" \
  "$vendor/graphiql-plugin-explorer.css"
cp "react-$REACT/package/LICENSE" "$vendor/LICENSE.react.txt"
cp "react-dom-$REACT/package/LICENSE" "$vendor/LICENSE.react-dom.txt"
# @graphiql/plugin-explorer ships no licence file: it is MIT under the graphiql monorepo's LICENSE.
cp "graphiql-$GRAPHIQL/package/LICENSE" "$vendor/LICENSE.graphiql.txt"
cp "graphiql-explorer-$GRAPHIQL_EXPLORER/package/LICENSE" "$vendor/LICENSE.graphiql-explorer.txt"
cat >"$vendor/VERSIONS" <<VERSIONS
react $REACT
react-dom $REACT
graphiql $GRAPHIQL
@graphiql/plugin-explorer $PLUGIN_EXPLORER
graphiql-explorer $GRAPHIQL_EXPLORER
VERSIONS
(cd "$vendor" && sha256sum -- *.js *.css LICENSE.* VERSIONS >SHA256SUMS)
echo "vendor/ refreshed:" && cat "$vendor/VERSIONS"
