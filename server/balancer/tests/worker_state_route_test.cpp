// WorkerState's route: read on every proxied request (BALANCER_WORKER_ROUTE, sticky matching) with a
// lock-free answer for a member without one; each way of setting it must keep that answer right.
#include "server/balancer/worker_state.hpp"

#include <gtest/gtest.h>

namespace balancerd::balancer {
namespace {

TEST(WorkerStateRoute, SetClearedAndRestored) {
  WorkerState w("http://127.0.0.1:1", "http://127.0.0.1:1", "127.0.0.1", 1);
  EXPECT_EQ(w.route(), "");
  EXPECT_FALSE(w.route_equals(""));
  w.set_route("r1");
  EXPECT_EQ(w.route(), "r1");
  EXPECT_TRUE(w.route_equals("r1"));
  EXPECT_FALSE(w.route_equals("r2"));
  w.set_route("");
  EXPECT_EQ(w.route(), "");
  EXPECT_FALSE(w.route_equals(""));

  WorkerView v = w.view();
  v.route = "kept";
  w.restore(v);
  EXPECT_EQ(w.route(), "kept");
  EXPECT_TRUE(w.route_equals("kept"));
  v.route.clear();
  w.restore(v);
  EXPECT_EQ(w.route(), "");
  EXPECT_FALSE(w.route_equals("kept"));
}

} // namespace
} // namespace balancerd::balancer
