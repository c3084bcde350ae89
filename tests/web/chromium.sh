#!/bin/sh
# Debian's Chromium for the browser test, killed (SIGKILL) when the process
# that started it dies, however it dies, so it never outlives the test.
exec setpriv --pdeathsig KILL /usr/bin/chromium "$@"
