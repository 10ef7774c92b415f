#pragma once
// Reach into Asio's epoll reactor (Boost 1.81, Asio 1.26) for what drained_read.hpp needs and Asio
// keeps private: a descriptor's registered event set, the events epoll delivered for it last, and the
// reactor's epoll descriptor. Only for drained_read.hpp, which includes it where these internals are
// known to match (BALANCERD_DRAINED_READ); includes Asio's detail headers.
//
// Private members are named as template arguments of explicit specializations, where the language
// does not check access; a class template instantiated there (Expose) defines a friend function that
// hands the member pointer back. Explicit specializations, unlike explicit instantiations, may appear
// in every translation unit that includes this header.
#include <boost/asio/detail/conditionally_enabled_mutex.hpp>
#include <boost/asio/detail/epoll_reactor.hpp>
#include <boost/asio/detail/scheduler_operation.hpp>
#include <cstddef>
#include <cstdint>

namespace balancerd::net::epoll_access {

namespace ad = boost::asio::detail;
using DescriptorState = ad::epoll_reactor::descriptor_state;

template <class Tag, typename Tag::type Member> struct Expose {
  friend constexpr typename Tag::type member(Tag) { return Member; }
};
template <class Tag, std::size_t> struct Instantiate;

// descriptor_state::registered_events_: the events epoll_ctl registered for the descriptor; Asio's own
// later EPOLL_CTL_MOD (adding EPOLLOUT for a write that would block) starts from it.
struct RegisteredEvents {
  using type = std::uint32_t DescriptorState::*;
  friend constexpr type member(RegisteredEvents);
};
template <>
struct Instantiate<RegisteredEvents, sizeof(Expose<RegisteredEvents, &DescriptorState::registered_events_>)> {
};

// descriptor_state::reactor_: the reactor the descriptor is registered with.
struct Reactor {
  using type = ad::epoll_reactor* DescriptorState::*;
  friend constexpr type member(Reactor);
};
template <> struct Instantiate<Reactor, sizeof(Expose<Reactor, &DescriptorState::reactor_>)> {};

// descriptor_state::mutex_: guards the descriptor's operations and registered events.
struct Mutex {
  using type = ad::conditionally_enabled_mutex DescriptorState::*;
  friend constexpr type member(Mutex);
};
template <> struct Instantiate<Mutex, sizeof(Expose<Mutex, &DescriptorState::mutex_>)> {};

// epoll_reactor::epoll_fd_.
struct EpollFd {
  using type = int ad::epoll_reactor::*;
  friend constexpr type member(EpollFd);
};
template <> struct Instantiate<EpollFd, sizeof(Expose<EpollFd, &ad::epoll_reactor::epoll_fd_>)> {};

// scheduler_operation::task_result_: for a descriptor_state, the events epoll_wait delivered for the
// descriptor last (set_ready_events, or ORed in by add_ready_events within one epoll_wait batch).
struct TaskResult {
  using type = unsigned int ad::scheduler_operation::*;
  friend constexpr type member(TaskResult);
};
template <>
struct Instantiate<TaskResult, sizeof(Expose<TaskResult, &ad::scheduler_operation::task_result_>)> {};

inline ad::conditionally_enabled_mutex& mutex(DescriptorState& d) noexcept {
  return d.*member(Mutex{});
}
inline std::uint32_t& registered_events(DescriptorState& d) noexcept {
  return d.*member(RegisteredEvents{});
}
inline int epoll_fd(DescriptorState& d) noexcept {
  return (d.*member(Reactor{}))->*member(EpollFd{});
}
// descriptor_state derives privately from scheduler_operation: only a C-style cast may convert to it.
inline std::uint32_t last_ready_events(DescriptorState& d) noexcept {
  return static_cast<std::uint32_t>(((ad::scheduler_operation*)&d)->*member(TaskResult{}));
}

} // namespace balancerd::net::epoll_access
