#!/usr/bin/env bash
# Checks the runner itself, without balancerd: apache2 compared with apache2 under another name must
# match everywhere; fakes broken on purpose must be reported, with their diff, and fail the run;
# known-deviations.txt entries must be honoured and stale ones reported. Not registered with ctest
# (it needs no build); run it after changing runner.py.
set -u
here=$(cd "$(dirname "$0")" && pwd)
apache=${APACHE:-/usr/sbin/apache2}
work=$(mktemp -d /tmp/configtest-selftest.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
check() { # description, condition command...
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; fails=$((fails + 1)); fi
}
runner() { python3 "$here/runner.py" "$@"; }

# 1. The same program under the name "balancerd": every case must match (program-name
#    normalisation, temp paths, timestamps, Mutex order).
mkdir "$work/same" && ln -s "$apache" "$work/same/balancerd"
runner --balancerd "$work/same/balancerd" >"$work/same.out" 2>&1
rc=$?
check "apache2 vs apache2-named-balancerd exits 0" test $rc -eq 0
check "... and reports 0 failed" grep -qE '^[0-9]+ passed, 0 failed$' "$work/same.out"

# 2. A fake that changes one message: the case fails and the diff shows both lines.
mkdir "$work/msg"
cat >"$work/msg/balancerd" <<SH
#!/usr/bin/env bash
"$apache" "\$@" 2> >(sed 's/takes one argument/takes 1 argument/' >&2)
rc=\$?
wait
exit \$rc
SH
chmod +x "$work/msg/balancerd"
runner --balancerd "$work/msg/balancerd" --only lex_continuation_lineno --only lex_crlf_valid >"$work/msg.out" 2>&1
rc=$?
check "changed message fails the run" test $rc -ne 0
check "... names the case" grep -q '^FAIL  lex_continuation_lineno' "$work/msg.out"
check "... shows the expected line" grep -q -- '-ServerName takes one argument' "$work/msg.out"
check "... shows the actual line" grep -q -- '+ServerName takes 1 argument' "$work/msg.out"
check "... final line counts" test "$(tail -n1 "$work/msg.out")" = "1 passed, 1 failed"

# 3. A fake with the right text but the wrong exit code on success.
mkdir "$work/rc"
cat >"$work/rc/balancerd" <<SH
#!/usr/bin/env bash
"$apache" "\$@"
rc=\$?
[ \$rc -eq 0 ] && exit 3
exit \$rc
SH
chmod +x "$work/rc/balancerd"
runner --balancerd "$work/rc/balancerd" --only lex_crlf_valid >"$work/rc.out" 2>&1
check "wrong exit code fails" grep -q '^ *+exit code: 3' "$work/rc.out"

# 4. A fake that writes to stdout instead of stderr.
mkdir "$work/stream"
cat >"$work/stream/balancerd" <<SH
#!/usr/bin/env bash
exec "$apache" "\$@" 2>&1
SH
chmod +x "$work/stream/balancerd"
runner --balancerd "$work/stream/balancerd" --only lex_crlf_valid >"$work/stream.out" 2>&1
check "stderr text on stdout fails" test "$(tail -n1 "$work/stream.out")" = "0 passed, 1 failed"

# 5. Known deviations: a listed differing case is a DEVIATION (no failure), a listed matching case
#    is reported as stale.
printf 'lex_continuation_lineno  test reason one\nlex_crlf_valid  test reason two\n' >"$work/devs.txt"
runner --balancerd "$work/msg/balancerd" --deviations "$work/devs.txt" \
  --only lex_continuation_lineno --only lex_crlf_valid >"$work/dev.out" 2>&1
rc=$?
check "listed deviation does not fail" test $rc -eq 0
check "... is reported with its reason" grep -q '^DEVIATION  lex_continuation_lineno  (test reason one)' "$work/dev.out"
check "... stale entry is reported" grep -q '^PASS  lex_crlf_valid  (listed in known-deviations.txt but now matches' "$work/dev.out"

# 6. A missing binary fails cleanly with the contract's last line.
runner --balancerd "$work/none/balancerd" >"$work/none.out" 2>&1
rc=$?
check "missing binary fails" test $rc -ne 0 -a "$(tail -n1 "$work/none.out")" = "0 passed, 1 failed"

# 7. User-config mode on a case tree materialised by hand.
mkdir -p "$work/user/run"
printf 'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\nPidFile %s/run/p\nErrorLog %s/run/e\nDefaultRuntimeDir %s/run\nServerName u.example\n' \
  "$work/user" "$work/user" "$work/user" >"$work/user/u.conf"
runner --balancerd "$work/same/balancerd" --config "$work/user/u.conf" >"$work/user.out" 2>&1
check "--config mode matches itself in every mode" test "$(tail -n1 "$work/user.out")" = "4 passed, 0 failed"
runner --balancerd "$work/msg/balancerd" --config "$work/user/u.conf" --extra=-C --extra="ServerAdmin a b" \
  --modes t >"$work/user2.out" 2>&1
check "--config mode reports a difference" test "$(tail -n1 "$work/user2.out")" = "0 passed, 1 failed"

echo "selftest: $fails failure(s)"
[ $fails -eq 0 ]
