#pragma once
// balancer-manager's HTML page, byte for byte as Apache 2.4.71 writes it: the header and style block,
// one status section (settings table, members table) per balancer, the health-check expressions
// table, then the edit form of the selected worker or balancer, the server signature and the end.
//
// Extension (not in Apache): a member row in error (Err/HcFl) gets class='bm-error' (red), a draining
// one (Drn) class='bm-drain' (yellow), on the row's <tr> start tag only, so the table keeps Apache's
// cells and columns for scripts that scrape it. The two colour rules are added to the style block only
// when some row is marked: a page without such members is byte-identical to Apache's.
#include <string>
#include <vector>

#include "server/manager/page_model.hpp"

namespace balancerd::manager {

struct HtmlOptions {
  const BalancerRow* bsel = nullptr; // the selected balancer (edit form), if any
  const MemberRow* wsel = nullptr;   // the selected member of bsel (worker form), if any
  std::string signature;             // ap_psignature's text ("" with ServerSignature Off)
  bool mark_states = true;           // the error/draining row marks (the extension above)
};

void append_html_page(std::string& out, const PageFacts& facts, const std::vector<BalancerRow>& balancers,
                      const HtmlOptions& options);

// The class/style a member row gets from the extension ("" for a healthy one).
std::string_view row_mark(unsigned status);

} // namespace balancerd::manager
