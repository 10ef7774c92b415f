#include "server/http/error_page.hpp"

#include "server/http/status.hpp"

namespace balancerd::http {
namespace {

constexpr std::string_view kDoctype =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
    "<html><head>\n<title>";
constexpr std::string_view kInternal1 = "<p>The server encountered an internal error or\n"
                                        "misconfiguration and was unable to complete\n"
                                        "your request.</p>\n"
                                        "<p>Please contact the server administrator at \n ";
constexpr std::string_view kInternal2 = " to inform them of the time this error occurred,\n"
                                        " and the actions you performed just before this error.</p>\n"
                                        "<p>More information about this error may be available\n"
                                        "in the server error log.</p>\n";

void append_message(std::string& out, int status, const ErrorPageInfo& info) {
  switch (status) {
  case 301:
  case 302:
  case 307:
  case 308:
    out.append("<p>The document has moved <a href=\"");
    append_html_escaped(out, info.location);
    out.append("\">here</a>.</p>\n");
    return;
  case 303:
    out.append("<p>The answer to your request is located <a href=\"");
    append_html_escaped(out, info.location);
    out.append("\">here</a>.</p>\n");
    return;
  case 400:
    out.append("<p>Your browser sent a request that this server could not understand.<br />\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 401:
    out.append("<p>This server could not verify that you\n"
               "are authorized to access the document\n"
               "requested.  Either you supplied the wrong\n"
               "credentials (e.g., bad password), or your\n"
               "browser doesn't understand how to supply\n"
               "the credentials required.</p>\n");
    return;
  case 403:
    out.append("<p>You don't have permission to access this resource.");
    out.append(info.note); // error-notes (mod_ssl's SSLStrictSNIVHostCheck reason)
    out.append("</p>\n");
    return;
  case 404:
    out.append("<p>The requested URL was not found on this server.</p>\n");
    return;
  case 405:
    out.append("<p>The requested method ");
    append_html_escaped(out, info.method);
    out.append(" is not allowed for this URL.</p>\n");
    return;
  case 406:
    out.append("<p>An appropriate representation of the requested resource could not be found on this "
               "server.</p>\n");
    return;
  case 408:
    out.append("<p>Server timeout waiting for the HTTP request from the client.</p>\n");
    return;
  case 410:
    out.append("<p>The requested resource is no longer available on this server and there is no forwarding "
               "address.\nPlease remove all references to this resource.</p>\n");
    return;
  case 411:
    out.append("<p>A request of the requested method ");
    append_html_escaped(out, info.method);
    out.append(" requires a valid Content-length.<br />\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 412:
    out.append("<p>The precondition on the request for this URL evaluated to false.</p>\n");
    return;
  case 413:
    out.append("The requested resource does not allow request data with ");
    append_html_escaped(out, info.method);
    out.append(" requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n");
    return;
  case 414:
    out.append("<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 415:
    out.append(
        "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n");
    return;
  case 416:
    out.append("<p>None of the range-specifier values in the Range\nrequest-header field overlap the current "
               "extent\nof the selected resource.</p>\n");
    return;
  case 417:
    if (info.expect.empty()) {
      out.append("<p>No expectation was seen, the Expect request-header \n"
                 "field was not presented by the client.\n");
    } else {
      out.append("<p>The expectation given in the Expect request-header\n"
                 "field could not be met by this server.\n"
                 "The client sent<pre>\n    Expect: ");
      append_html_escaped(out, info.expect);
      out.append("\n</pre>\n");
    }
    out.append("</p><p>Only the 100-continue expectation is supported.</p>\n");
    return;
  case 421: // mod_ssl's misdirected request (SNI and Host name vhosts with different TLS setups)
    out.append("<p>The client needs a new connection for this\nrequest as the requested host name does not "
               "match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n");
    return;
  case 422:
    out.append("<p>The server understands the media type of the\nrequest entity, but was unable to process "
               "the\ncontained instructions.</p>\n");
    return;
  case 426: // as apache2 sends it (mod_proxy_wstunnel's refusal): the paragraph is never closed
    out.append(
        "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade "
        "the current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your "
        "client, or try requesting the page\nusing https://\n");
    return;
  case 429:
    out.append("<p>The user has sent too many requests\nin a given amount of time.</p>\n");
    return;
  case 431:
    out.append("<p>The server refused this request because\nthe request header fields are too large.</p>\n");
    return;
  case 451:
    out.append("<p>Access to this URL has been denied for legal reasons.<br />\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 501:
    out.append("<p>");
    append_html_escaped(out, info.method);
    out.append(" not supported for current URL.<br />\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 502:
    // Apache's text has CRLF line breaks here (its other pages use LF): 381 bytes for the proxy's 502.
    out.append("<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n");
    out.append(info.note);
    out.append("</p>\n");
    return;
  case 503:
    out.append("<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or "
               "capacity\nproblems. Please try again later.</p>\n");
    return;
  case 504:
    out.append(
        "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n");
    return;
  case 507:
    out.append(
        "<p>The method could not be performed on the resource\nbecause the server is unable to store "
        "the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free "
        "space left in\nyour storage allocation.</p>\n");
    return;
  case 510:
    out.append("<p>A mandatory extension policy in the request is not\naccepted by the server for this "
               "resource.</p>\n");
    return;
  case 511:
    out.append("<p>The client needs to authenticate to gain\nnetwork access.</p>\n");
    return;
  default:
    // 500, and every status without its own text (409, 505, ...), says "internal error".
    out.append(kInternal1);
    if (info.server_admin.empty())
      out.append("[no address given]");
    else
      append_html_escaped(out, info.server_admin);
    out.append(kInternal2);
    return;
  }
}

// The footer's host name as ap_get_server_name gives it: lower case (r->hostname is).
void append_signature_host(std::string& out, std::string_view host) {
  thread_local std::string lower;
  lower.assign(host);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  append_html_escaped(out, lower);
}

void append_signature(std::string& out, const ErrorPageInfo& info) {
  if (info.signature == ServerSignature::Off) return;
  out.append("<hr>\n<address>");
  out.append(info.banner);
  out.append(" Server at ");
  if (info.signature == ServerSignature::EMail) {
    out.append("<a href=\"mailto:");
    append_html_escaped(out, info.server_admin);
    out.append("\">");
    append_signature_host(out, info.host);
    out.append("</a>");
  } else {
    append_signature_host(out, info.host);
  }
  out.append(" Port ");
  append_decimal(out, info.port);
  out.append("</address>\n");
}

} // namespace

std::string_view server_banner(ServerTokens tokens) noexcept {
  switch (tokens) {
  case ServerTokens::Prod:
    return "Apache";
  case ServerTokens::Major:
    return "Apache/2";
  case ServerTokens::Minor:
    return "Apache/2.4";
  case ServerTokens::Minimal:
    return "Apache/2.4.71";
  case ServerTokens::OS:
  case ServerTokens::Full:
    return "Apache/2.4.71 (Debian)";
  }
  return "Apache";
}

int normalize_error_status(int status) noexcept {
  return reason_phrase(status).empty() ? 500 : status;
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
    case '<':
      out.append("&lt;");
      break;
    case '>':
      out.append("&gt;");
      break;
    case '&':
      out.append("&amp;");
      break;
    case '"':
      out.append("&quot;");
      break;
    default:
      out.push_back(c);
    }
  }
}

void append_error_body(std::string& out, int status, const ErrorPageInfo& info) {
  status = normalize_error_status(status);
  std::string_view reason = info.reason.empty() ? reason_phrase(status) : info.reason;
  out.append(kDoctype);
  append_decimal(out, static_cast<std::uint64_t>(status));
  out.push_back(' ');
  out.append(reason);
  out.append("</title>\n</head><body>\n<h1>");
  out.append(reason);
  out.append("</h1>\n");
  append_message(out, status, info);
  if (info.additional_status) {
    out.append("<p>Additionally, a ");
    append_decimal(out, static_cast<std::uint64_t>(info.additional_status));
    out.push_back(' ');
    out.append(reason_phrase(info.additional_status));
    out.append("\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n");
  }
  append_signature(out, info);
  out.append("</body></html>\n");
}

void append_error_response(std::string& out, int status, const ErrorPageInfo& info,
                           const ErrorResponseOptions& options, ResponseHead& head) {
  status = normalize_error_status(status);
  head.clear();
  head.status = status;
  head.reason = info.reason;
  if (!options.allow.empty()) head.add("Allow", options.allow);
  head.set_content_type("text/html; charset=iso-8859-1");
  if (options.head_request) {
    serialize_head(out, head, options.framing);
    return;
  }
  // The body goes after the head, whose Content-Length needs its size: build it in place, then
  // insert the head in front of it.
  const std::size_t body_at = out.size();
  append_error_body(out, status, info);
  if (!options.omit_content_length) head.content_length = out.size() - body_at;
  std::string head_text;
  serialize_head(head_text, head, options.framing);
  out.insert(body_at, head_text);
}

} // namespace balancerd::http
