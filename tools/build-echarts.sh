#!/bin/sh
# Rebuild siliu/core/static/vendor/echarts.custom.min.js from the npm registry: ECharts with only the
# series and components in tools/echarts-entry.js, bundled by esbuild into one script that defines the
# global `echarts`. Pinned versions; the same inputs give the same file. Needs node and npm.
set -eu
ECHARTS_VERSION=5.6.0
ESBUILD_VERSION=0.28.2
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../siliu/core/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init --yes >/dev/null
npm install --no-audit --no-fund --save-exact "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null
cp "$here/echarts-entry.js" entry.js
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=echarts \
  --target=es2018 --define:process.env.NODE_ENV='"production"' --legal-comments=none \
  --outfile="$vendor/echarts.custom.min.js"
# Apache-2.0: the licence and the NOTICE travel with the built file.
cp node_modules/echarts/LICENSE "$vendor/echarts.LICENSE.txt"
cp node_modules/echarts/NOTICE "$vendor/echarts.NOTICE.txt"
ls -l "$vendor/echarts.custom.min.js"
