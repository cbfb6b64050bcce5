#!/bin/sh
# The baseline of the import benchmark: the same steps by hand, one after another.
# Download, checksum, probe, one thumbnail, copy to the store; prints the SHA-256.
#
#   import_baseline.sh URL WORK_DIR STORE
#
# STORE is a directory, or s3://BUCKET/PREFIX with S3_ENDPOINT, S3_REGION, S3_KEY and
# S3_SECRET set (one SigV4-signed PUT per object, by curl).
set -eu
url=$1
work=$2
store=$3
mkdir -p "$work"
curl -sSf -o "$work/download" "$url"
sha=$(sha256sum "$work/download" | cut -d ' ' -f 1)
ffprobe -v error -show_format -show_streams -of json "$work/download" >"$work/probe.json"
ffmpeg -nostdin -v error -y -i "$work/download" -vf scale=320:-2 -frames:v 1 -q:v 2 \
  "$work/thumb.jpg"
case $store in
s3://*)
  for pair in "download:blobs/$sha" "thumb.jpg:thumbs/$sha.jpg"; do
    curl -sSf --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_KEY:$S3_SECRET" \
      -T "$work/${pair%%:*}" "$S3_ENDPOINT/${store#s3://}/${pair#*:}" >/dev/null
  done
  ;;
*)
  mkdir -p "$store/blobs" "$store/thumbs"
  cp "$work/download" "$store/blobs/$sha"
  cp "$work/thumb.jpg" "$store/thumbs/$sha.jpg"
  ;;
esac
rm -rf "$work"
echo "$sha"
