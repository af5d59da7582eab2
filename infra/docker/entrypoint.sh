#!/bin/sh
# Entry point of the CodeRoom image: the first argument picks what runs (infra/README.md "Image").
#   all | control   the hub: control plane and documents, with its own /pty and /media (`coderoom start`)
#   pty             the terminal plane alone (pty-gateway/dist/main.js)
#   media           the media plane alone (media-server/dist/main.js)
#   keys DIR PUBDIR write a signing key pair once: DIR gets the full key, PUBDIR the public half
#   coderoom ...    any CLI command (`coderoom user create ...`, `coderoom backup ...`)
#   anything else   run as given (a shell for debugging)
set -eu
cmd="${1:-all}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  all | control) exec node /app/cli/bin/coderoom.js start "$@" ;;
  pty) exec node /app/pty-gateway/dist/main.js "$@" ;;
  media) exec node /app/media-server/dist/main.js "$@" ;;
  keys) exec node /app/infra/scripts/signing-key.mjs "$@" ;;
  coderoom) exec node /app/cli/bin/coderoom.js "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
