#!/bin/bash
# How captures a_*, b_* and c_* were taken: apache2 2.4.71 on loopback with the configurations of
# ../manager_test_support.hpp (kConfigA/B/C, written to /tmp/mgr-{ap,bp,cp}/{a,b,c}.conf after an Include of a
# base.conf with ServerRoot, Listen 127.0.0.1:184{80,90,70}, PidFile/ErrorLog/DefaultRuntimeDir under that dir
# and the LoadModule lines of modules_text()). Config A then B are captured by the two parts below.
# C: curl -s -H "Host: v1.example" (and v2.example) http://127.0.0.1:18470/balancer-manager.
set -u
OUT=/work/main/server/manager/tests/captures
cd /tmp/mgr-ap
[ -f run/httpd.pid ] && kill $(cat run/httpd.pid) 2>/dev/null; sleep 1.5
rm -f run/*.persist* 2>/dev/null
apache2 -f /tmp/mgr-ap/a.conf -k start; sleep 1
U=http://127.0.0.1:18480/balancer-manager; R="Referer: http://127.0.0.1:18480/balancer-manager"
body() { curl -s "$@"; }
body $U > $OUT/a_main.html
body -H "$R" "$U?xml=1" > $OUT/a_xml.xml
grep -o 'nonce=[0-9a-f-]*' $OUT/a_main.html | grep -v 'nonce=$' | sort -u > /tmp/mgr-nonces.txt
for b in mycluster dead rc; do grep -o "b=$b&amp;nonce=[0-9a-f-]*" $OUT/a_main.html | head -1 | sed 's/.*nonce=//'; done > $OUT/a_nonces.txt
NRC=$(sed -n 3p $OUT/a_nonces.txt)
body -H "$R" "$U?b=rc&nonce=$NRC" > $OUT/a_bedit_rc.html
body -H "$R" "$U?b=rc&w=http://127.0.0.1:18101&nonce=$NRC" > $OUT/a_wedit_rc.html
# worker update, then the page
curl -s -o /dev/null -w "%{http_code}\n" -H "$R" --data "b=rc&w=http://127.0.0.1:18101&nonce=$NRC&w_lf=5&w_status_D=1&w_ls=1&w_rr=r2" $U > $OUT/a_update1.status
body $U > $OUT/a_update1.html
curl -s -o /dev/null -w "%{http_code}\n" -H "$R" --data "b=rc&nonce=$NRC&b_lbm=bybusyness&b_tmo=5&b_max=3&b_sforce=1&b_ss=SESS%7Csess" $U > $OUT/a_update2.status
body -H "$R" "$U?xml=1" > $OUT/a_update2.xml
curl -s -o /dev/null -w "%{http_code}\n" -H "$R" --data "b=rc&nonce=$NRC&b_wyes=1&b_nwrkr=http://127.0.0.1:18105/" $U > $OUT/a_update3.status
body -H "$R" "$U?b=rc&nonce=$NRC" > $OUT/a_update3.html
curl -s -D - -o /dev/null -H "$R" --data "b=rc&nonce=$NRC&b_wyes=1&b_nwrkr=http://127.0.0.1:18105/" $U | head -1 > $OUT/a_update4.status
body http://127.0.0.1:18480/server-status > /tmp/mgr-a-status.html
body "http://127.0.0.1:18480/server-status?auto" > /tmp/mgr-a-status.txt
sed -n '/^<hr \/>$/{N;/Proxy LoadBalancer/,$p}' /tmp/mgr-a-status.html > /dev/null
python3 - <<'PY'
s=open('/tmp/mgr-a-status.html').read()
i=s.index('<hr />\n<h1>Proxy LoadBalancer Status')
j=s.rindex('</body></html>')
open('/work/main/server/manager/tests/captures/a_status_proxy.html','w').write(s[i:j])
t=open('/tmp/mgr-a-status.txt').read()
k=t.index('ProxyBalancer[0]')
open('/work/main/server/manager/tests/captures/a_status_auto.txt','w').write(t[k:])
PY

# --- config B (retries until apache2 lists the lbmethods in LoadModule order: its order is a random hash order)
OUT=/work/main/server/manager/tests/captures
cd /tmp/mgr-bp
U=http://127.0.0.1:18490/balancer-manager; R="Referer: http://127.0.0.1:18490/balancer-manager"
for try in 1 2 3 4 5 6 7 8; do
  [ -f run/httpd.pid ] && kill $(cat run/httpd.pid) 2>/dev/null; sleep 1.5
  rm -f run/*persist* 2>/dev/null
  apache2 -f /tmp/mgr-bp/b.conf -k start; sleep 0.7
  order=$(curl -s -H "$R" "$U?b=full" | grep -o "option value='[a-z]*'" | tr '\n' ' ')
  [ "$order" = "option value='byrequests' option value='bybusyness' option value='bytraffic' option value='heartbeat' " ] && break
done
echo "order: $order"
curl -s $U > $OUT/b_main.html
curl -s -H "$R" "$U?xml=1" > $OUT/b_xml.xml
curl -s -H "$R" "$U?b=full&w=http://127.0.0.1:18201&nonce=" > $OUT/b_wedit_full.html
curl -s -H "$R" "$U?b=full&w=http://uds.example/&nonce=" > $OUT/b_wedit_uds.html
curl -s -H "$R" "$U?b=full&nonce=" > $OUT/b_bedit_full.html
for b in full nopass x3; do grep -o "b=$b&amp;nonce=[0-9a-f-]*" $OUT/b_main.html | head -1 | sed 's/.*nonce=//'; done > $OUT/b_nonces.txt
curl -s http://127.0.0.1:18490/server-status > /tmp/mgr-b-status.html
curl -s "http://127.0.0.1:18490/server-status?auto" > /tmp/mgr-b-status.txt
python3 - <<'PY'
s=open('/tmp/mgr-b-status.html').read()
i=s.index('<hr />\n<h1>Proxy LoadBalancer Status')
j=s.rindex('</body></html>')
open('/work/main/server/manager/tests/captures/b_status_proxy.html','w').write(s[i:j])
t=open('/tmp/mgr-b-status.txt').read()
k=t.index('ProxyBalancer[0]')
open('/work/main/server/manager/tests/captures/b_status_auto.txt','w').write(t[k:])
PY
