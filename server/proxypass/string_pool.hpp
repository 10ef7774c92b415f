#pragma once
// A per-thread free list of string buffers for the strings a proxied request's mapping builds (the
// canonical backend URL, r->filename): taken when a request is mapped and given back when the
// request is done with them, so that their capacity is reused instead of a malloc and a free per
// request. The list is LIFO, so the buffer taken is the one the previous request just gave back
// (still in cache).
#include <string>

namespace balancerd::proxypass {

// An empty string, with the capacity of a buffer given back earlier on this thread when there is one.
std::string take_pooled_string();
// Keeps `s`'s buffer for a later take_pooled_string on this thread (a small or a very big buffer is
// simply freed) and leaves `s` empty.
void give_back_pooled_string(std::string& s) noexcept;

} // namespace balancerd::proxypass
