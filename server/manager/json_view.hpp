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
// "updated" says whether a JSON update (json_params.hpp) was applied by this request.
#include <string>
#include <string_view>
#include <vector>

#include "server/manager/page_model.hpp"

namespace balancerd::manager {

void append_json_view(std::string& out, const PageFacts& facts, const std::vector<BalancerRow>& balancers,
                      bool updated);

// {"error":"TEXT"}
void append_json_error(std::string& out, std::string_view text);

// A JSON string literal (quotes included), with ", \ and control characters escaped.
void append_json_string(std::string& out, std::string_view text);

} // namespace balancerd::manager
