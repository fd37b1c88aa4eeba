#pragma once
// ListenerPools: the daemon's [eventlistener:x] pools wired to the event bus and to
// their listener processes. Each pool (events/listener_pool.h, pure) is subscribed
// to its `events=`; the Supervisor forwards its listeners' spawns, state changes,
// exits and stdout here, and the pool's writes go to the listeners' stdin.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "supervisord/events/event_bus.h"
#include "supervisord/events/listener_pool.h"
#include "supervisord/process/process_group.h"

namespace events {

class ListenerPools {
 public:
  using LogFunction = std::function<void(common::LogLevel, const std::string&)>;

  ListenerPools(events::EventBus& bus, std::string identifier, LogFunction log);
  ~ListenerPools();
  ListenerPools(const ListenerPools&) = delete;
  ListenerPools& operator=(const ListenerPools&) = delete;

  // REQUIRES: group is an [eventlistener:x] pool, not added yet; it outlives its pool here.
  void addPool(process::ProcessGroup& group);
  void removePool(const std::string& groupName);

  bool isListener(const process::Process& process) const { return members_.count(&process) != 0; }
  void spawned(const process::Process& process);
  void stateChanged(const process::Process& process, process::ProcessState to);
  void exited(const process::Process& process);
  void stdoutOutput(const process::Process& process, std::string_view bytes);

 private:
  struct Pool {
    std::unique_ptr<events::ListenerPool> pool;
    std::vector<events::EventBus::SubscriptionId> subscriptions;
  };
  struct Member {
    events::ListenerPool* pool;
    std::size_t index;
  };

  events::EventBus& bus_;
  std::string identifier_;
  LogFunction log_;
  std::map<std::string, Pool> pools_;
  std::map<const process::Process*, Member> members_;
};

}  // namespace events
