#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "supervisord/events/event_bus.h"
#include "supervisord/events/tick_schedule.h"

using namespace events;

TEST_CASE("event bus: subscribers hear matching events in order of subscription", "[events]") {
  EventBus bus;
  std::vector<std::string> heard;
  bus.subscribe(EventType::ProcessState, [&](const Event& e) { heard.push_back("state " + std::string(eventName(e.type))); });
  bus.subscribe(EventType::Event, [&](const Event& e) { heard.push_back("all " + std::string(eventName(e.type))); });
  bus.subscribe(EventType::Tick5, [&](const Event&) { heard.push_back("tick5"); });

  bus.publish(processGroupAddedEvent("g"));
  bus.publish(processStateEvent(process::ProcessState::Running, "p", "g", process::ProcessState::Starting, 0,
                                true, 1));
  bus.publish(tickEvent(60, 60));
  CHECK(heard == std::vector<std::string>{"all PROCESS_GROUP_ADDED", "state PROCESS_STATE_RUNNING",
                                          "all PROCESS_STATE_RUNNING", "all TICK_60"});
}

TEST_CASE("event bus: an unsubscribed callback hears nothing more, even in the same publish", "[events]") {
  EventBus bus;
  int first = 0, second = 0;
  EventBus::SubscriptionId secondId = 0;
  bus.subscribe(EventType::Event, [&](const Event&) {
    ++first;
    bus.unsubscribe(secondId);
  });
  secondId = bus.subscribe(EventType::Event, [&](const Event&) { ++second; });
  bus.publish(supervisorRunningEvent());
  bus.publish(supervisorRunningEvent());
  CHECK(first == 2);
  CHECK(second == 0);
}

TEST_CASE("event bus: global serials only for events a numbered subscriber receives", "[events]") {
  EventBus bus;
  std::vector<std::uint64_t> serials;
  bool plainSawSerial = false;
  bus.subscribe(EventType::Event, [&](const Event& e) { plainSawSerial = plainSawSerial || e.serial.has_value(); });
  bus.subscribe(EventType::ProcessGroup, [&](const Event& e) { serials.push_back(*e.serial); },
                EventBus::Numbering::GlobalSerial);
  bus.subscribe(EventType::ProcessGroupAdded, [&](const Event& e) { serials.push_back(*e.serial); },
                EventBus::Numbering::GlobalSerial);

  CHECK_FALSE(bus.lastSerial());
  bus.publish(tickEvent(5, 5));  // no pool listens: no number used
  bus.publish(processGroupAddedEvent("a"));  // two pools, one number
  bus.publish(processGroupRemovedEvent("a"));
  CHECK(serials == std::vector<std::uint64_t>{0, 0, 1});
  CHECK(bus.lastSerial() == 1u);
  CHECK_FALSE(plainSawSerial);  // the plain subscriber came first
}

TEST_CASE("event bus: hasSubscribers answers for a published type through abstract subscriptions", "[events]") {
  EventBus bus;
  CHECK_FALSE(bus.hasSubscribers(EventType::Tick5));
  const auto id = bus.subscribe(EventType::Tick, [](const Event&) {});
  CHECK(bus.hasSubscribers(EventType::Tick5));
  CHECK(bus.hasSubscribers(EventType::Tick3600));
  CHECK_FALSE(bus.hasSubscribers(EventType::ProcessGroupAdded));
  bus.unsubscribe(id);
  CHECK_FALSE(bus.hasSubscribers(EventType::Tick5));
}

// Expected slices from Supervisor's supervisord.timeslice under /usr/bin/python3:
// timeslice(5, 1700000003.7) == 1700000000, (60, …) == 1699999980, (3600, …) == 1699999200.
TEST_CASE("ticks: timeslice rounds epoch time down to the period", "[events]") {
  CHECK(timeslice(5, 1700000003.7) == 1700000000);
  CHECK(timeslice(60, 1700000003.7) == 1699999980);
  CHECK(timeslice(3600, 1700000003.7) == 1699999200);
  CHECK(timeslice(5, 1700000005.0) == 1700000005);
}

TEST_CASE("ticks: the first tick is the next boundary, not startup, with when = the new slice", "[events]") {
  TickSchedule ticks(1700000003.7);
  CHECK(ticks.due(1700000004.9).empty());
  const auto at5 = ticks.due(1700000005.2);
  REQUIRE(at5.size() == 1);
  CHECK(at5[0].type == EventType::Tick5);
  CHECK(payload(at5[0]) == "when:1700000005");
  CHECK(ticks.due(1700000006).empty());
}

TEST_CASE("ticks: one event per period however many boundaries passed, in TICK_5, 60, 3600 order", "[events]") {
  TickSchedule ticks(1699999199.0);
  const auto after = ticks.due(1700000003.7);  // 4804 s later, e.g. after a suspend
  REQUIRE(after.size() == 3);
  CHECK(after[0].type == EventType::Tick5);
  CHECK(after[0].when == 1700000000);
  CHECK(after[1].type == EventType::Tick60);
  CHECK(after[1].when == 1699999980);
  CHECK(after[2].type == EventType::Tick3600);
  CHECK(after[2].when == 1699999200);
}

TEST_CASE("ticks: the next wake-up is the nearest boundary of the subscribed periods only", "[events]") {
  const std::vector<int> none;
  CHECK_FALSE(nextTickTime(1700000003.7, none));  // nobody listens: no timer
  const std::vector<int> hourly{3600};
  CHECK(nextTickTime(1700000003.7, hourly) == 1700002800.0);
  const std::vector<int> all{5, 60, 3600};
  CHECK(nextTickTime(1700000003.7, all) == 1700000005.0);
  CHECK(nextTickTime(1700000005.0, all) == 1700000010.0);  // exactly on a boundary: the next one

  EventBus bus;
  CHECK(subscribedTickPeriods(bus).empty());
  bus.subscribe(EventType::Tick60, [](const Event&) {});
  CHECK(subscribedTickPeriods(bus) == std::vector<int>{60});
  bus.subscribe(EventType::Event, [](const Event&) {});
  CHECK(subscribedTickPeriods(bus) == std::vector<int>{5, 60, 3600});
}
