#include "supervisord/events/listener_pools.h"

#include "supervisord/process/process.h"

namespace events {

ListenerPools::ListenerPools(events::EventBus& bus, std::string identifier, LogFunction log)
    : bus_(bus), identifier_(std::move(identifier)), log_(std::move(log)) {}

ListenerPools::~ListenerPools() {
  for (auto& [name, pool] : pools_)
    for (auto id : pool.subscriptions) bus_.unsubscribe(id);
}

void ListenerPools::addPool(process::ProcessGroup& group) {
  const auto& config = group.config();
  std::vector<std::string> names;
  std::vector<process::Process*> processes;
  for (const auto& p : group.processes()) {
    names.push_back(p->config().name);
    processes.push_back(p.get());
  }
  events::PoolEffects effects;
  effects.writeToStdin = [processes](std::size_t listener, std::string_view bytes) {
    return processes[listener]->writeStdin(bytes).ok();
  };
  effects.log = [this](const events::LogLine& line) { log_(line.level, line.message); };

  Pool entry;
  entry.pool = std::make_unique<events::ListenerPool>(config.name, identifier_,
                                                      static_cast<std::size_t>(config.bufferSize), names, effects);
  std::vector<events::EventType> types;
  for (const auto& name : config.events)
    if (auto type = events::eventTypeFromName(name)) types.push_back(*type);
  entry.subscriptions = events::subscribePool(bus_, *entry.pool, types);
  for (std::size_t i = 0; i < processes.size(); ++i) members_[processes[i]] = Member{entry.pool.get(), i};
  pools_[config.name] = std::move(entry);
}

void ListenerPools::removePool(const std::string& groupName) {
  auto it = pools_.find(groupName);
  if (it == pools_.end()) return;
  for (auto id : it->second.subscriptions) bus_.unsubscribe(id);
  events::ListenerPool* pool = it->second.pool.get();
  std::erase_if(members_, [pool](const auto& member) { return member.second.pool == pool; });
  pools_.erase(it);
}

void ListenerPools::spawned(const process::Process& process) {
  if (auto it = members_.find(&process); it != members_.end()) it->second.pool->listenerSpawned(it->second.index);
}

void ListenerPools::stateChanged(const process::Process& process, process::ProcessState to) {
  if (auto it = members_.find(&process); it != members_.end())
    it->second.pool->listenerStateChanged(it->second.index, to);
}

void ListenerPools::exited(const process::Process& process) {
  if (auto it = members_.find(&process); it != members_.end()) it->second.pool->listenerExited(it->second.index);
}

void ListenerPools::stdoutOutput(const process::Process& process, std::string_view bytes) {
  if (auto it = members_.find(&process); it != members_.end())
    it->second.pool->listenerOutput(it->second.index, bytes);
}

}  // namespace events
