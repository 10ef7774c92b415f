#pragma once
// One non-blocking send of a gathered write, for the client and the backend sides alike: a head
// (and most bodies) fits the socket's send buffer, so the write goes out here and Asio's write
// machinery is needed only for what the socket would not take at once.
#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace balancerd::net {

enum class SendNow { Done, Partial, Failed }; // Failed: errno holds the error

// Sends as much of `iov` as the socket takes without waiting; `sent` is the bytes that went out.
SendNow send_now(int fd, std::span<const iovec> iov, std::size_t& sent);

} // namespace balancerd::net
