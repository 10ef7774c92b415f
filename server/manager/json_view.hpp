#pragma once
// Extension (not in Apache): balancer-manager's JSON view ("?json", Content-Type application/json),
// the same data as the HTML page in one object:
//
//   {"server":"NAME","persist":false,"balancer_inherit":true,"pass_inherit":true,"updated":false,
//    "balancers":[{"name":"balancer://app","sname":"...","nonce":"...","max_members":3,"used":3,
//      "sticky":"JSESSIONID","sticky_path":"jsessionid","nofailover":false,"timeout":0,
//      "max_attempts":2,"lbmethod":"byrequests","vhost":"","path":"/app/",
//      "members":[{"name":"http://h:1","display_name":"http://h:1","route":"b1","redirect":"",
//        "load_factor":1.00,"lbset":0,"status":"Init Ok ","flags":["Init"],"usable":true,
//        "elected":0,"busy":0,"lbstatus":0,"sent_bytes":0,"received_bytes":0,"retries":0,
//        "error_time":null,"hc":{"method":"NONE","interval_ms":30000,"passes":1,"fails":1,
//        "pass_count":0,"fail_count":0,"uri":"","expr":""}}]}]}
//
// "updated" says whether a JSON update (json_params.hpp) was applied by this request. After a JSON
// update two more keys say why something was not done (Apache's form answer says nothing):
//   "refused":"TEXT"        the whole update was ignored (no or cross-site Referer, wrong nonce)
//   "rejected":[{"param":"w_lf","value":"0.5","reason":"not a load factor from 1 to 100: ignored"}]
//                           values ignored or cleared by Apache's validation (the rest was applied)
// Both are left out when empty.
#include <string>
#include <string_view>
#include <vector>

#include "server/balancer/manager_ops.hpp"
#include "server/manager/page_model.hpp"

namespace balancerd::manager {

struct JsonUpdateNotes {
  std::string refused;
  std::vector<balancer::EditProblem> rejected;
};

void append_json_view(std::string& out, const PageFacts& facts, const std::vector<BalancerRow>& balancers,
                      bool updated, const JsonUpdateNotes& notes = {});

// {"error":"TEXT"}
void append_json_error(std::string& out, std::string_view text);

// A JSON string literal (quotes included), with ", \ and control characters escaped.
void append_json_string(std::string& out, std::string_view text);

} // namespace balancerd::manager
