#!/usr/bin/env bash
# Copy the front-end files shangmi serves from node_modules (installed by `npm ci`
# from package-lock.json) into the git-ignored static/vendor folder.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/shangmi/static/vendor
rm -rf "$dest"
mkdir -p "$dest"/bootstrap "$dest"/bootstrap-icons/fonts "$dest"/htmx "$dest"/echarts
# Source maps go along: the hashed-name storage rewrites the references to them.
cp node_modules/bootstrap/dist/css/bootstrap.min.css{,.map} "$dest"/bootstrap/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} "$dest"/bootstrap/
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest"/bootstrap-icons/
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$dest"/bootstrap-icons/fonts/
cp node_modules/htmx.org/dist/htmx.min.js "$dest"/htmx/
cp node_modules/echarts/dist/echarts.min.js "$dest"/echarts/
