#include "supervisord/policy/probe_monitor.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>

namespace policy {

namespace asio = boost::asio;

namespace {

double wallClockNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct ProbeMonitor::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, ProbeCommandContext context, config::ProbeConfig probe, VerdictCallback onVerdict)
      : io(io), context(std::move(context)), probe(std::move(probe)), onVerdict(std::move(onVerdict)), timer(io) {
    tally.failureThreshold = this->probe.failureThreshold;
  }

  asio::io_context& io;
  ProbeCommandContext context;
  config::ProbeConfig probe;
  VerdictCallback onVerdict;
  asio::steady_timer timer;
  std::optional<ProbeCheck> check;
  ProbeTally tally;
  ProbeStatus status;
  bool stopped = false;

  void checkAfter(double seconds) {
    timer.expires_after(std::chrono::microseconds(static_cast<std::int64_t>(std::max(seconds, 0.0) * 1e6)));
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self || self->stopped || ec) return;
      self->startCheck();
    });
  }

  void startCheck() {
    check.reset();
    check.emplace(io, context, probe, [weak = weak_from_this()](const ProbeOutcome& outcome) {
      auto self = weak.lock();
      if (self && !self->stopped) self->checked(outcome);
    });
  }

  // The next check is armed before the verdict goes out: the callback may destroy us.
  void checked(const ProbeOutcome& outcome) {
    std::optional<ProbeVerdict> verdict = tally.record(outcome.ok);
    status.checks = tally.checks;
    status.consecutiveFailures = tally.consecutiveFailures;
    status.consecutiveSuccesses = tally.consecutiveSuccesses;
    status.ready = tally.ready;
    status.lastOk = outcome.ok;
    status.lastDetail = outcome.detail;
    status.lastCheckTime = wallClockNow();
    checkAfter(probe.interval);
    if (verdict && onVerdict) {
      VerdictCallback callback = onVerdict;  // survives our destruction during the call
      callback(*verdict, outcome);
    }
  }

  void stop() {
    stopped = true;
    onVerdict = nullptr;
    timer.cancel();
    check.reset();
  }
};

ProbeMonitor::ProbeMonitor(asio::io_context& io, ProbeCommandContext context, config::ProbeConfig probe,
                           VerdictCallback onVerdict)
    : state_(std::make_shared<State>(io, std::move(context), std::move(probe), std::move(onVerdict))) {
  state_->checkAfter(state_->probe.initialDelay);
}

ProbeMonitor::~ProbeMonitor() { state_->stop(); }

ProbeStatus ProbeMonitor::status() const { return state_->status; }

const config::ProbeConfig& ProbeMonitor::probe() const { return state_->probe; }

}  // namespace policy
