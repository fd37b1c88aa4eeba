#pragma once
// ProcessStateMachine: Supervisor 4.2.5's Subprocess life cycle (spawn, transition,
// finish, stop, kill, signal, give_up) as one table, actions[state][event], of pure
// functions of (config, record, event, moment) -> new record + decisions.
//
// Entirely passive, like ninja's Subprocess: the caller (the Process shell) keeps
// the ProcessRecord, feeds it events with the current time, carries out the
// returned decisions in order (fork, kill, log, publish state events) and arms one
// timer for Step::wakeAt, which it answers with a Tick. Nothing here forks,
// signals, sleeps, reads a clock or does I/O, so tests drive it with plain numbers.
//
// What a caller may rely on (all as Supervisor does it):
//  - startsecs: STARTING -> RUNNING once the process has been up startsecs seconds
//    (at once on Spawned when startsecs = 0), resetting the backoff counter;
//  - a process that dies before startsecs, or cannot be spawned, goes to BACKOFF;
//    each entry to BACKOFF counts one try and waits `tries` seconds (1 s, 2 s, 3 s…);
//    once tries > startretries it goes to FATAL (startretries + 1 attempts in all);
//  - RUNNING -> EXITED on any exit not asked for; expected = exit code in exitcodes;
//    autorestart true/unexpected restarts it at once, without counting a try;
//  - Stop sends stopsignal (to the process group if stopasgroup), then SIGKILL every
//    stopwaitsecs (to the group if killasgroup) until the process is reaped -> STOPPED;
//    Stop in BACKOFF is STOPPED at once;
//  - a signalling error other than ESRCH -> UNKNOWN, where only a restart of the
//    daemon helps (Supervisor has no way out of UNKNOWN either).
//
// Our restart-policy keys (config::PolicyConfig) change this only when set:
//  - startretries = -1 never gives up; backoff delays come from the policy
//    (RestartAdvice::retryDelay: exponential, capped, jittered);
//  - with restart_budget, exponential backoff or backoff_reset, a crash after
//    startsecs counts as a failure too: the restart from EXITED waits its backoff
//    delay, and the counter resets after backoff_reset seconds of uptime (unset:
//    backoff_max seconds; without crash counting: at RUNNING, as Supervisor);
//  - a failure whose restart would spend the restart budget goes to FATAL at once
//    (GaveUp decision; the shell escalates per on_budget_spent); fatal_retry starts a
//    FATAL process again after that many seconds;
//  - with a readiness probe, STARTING -> RUNNING on Ready instead of after startsecs;
//    Restart (a liveness failure) stops the process and starts it again;
//  - a group with a restart strategy restarts its members itself: instead of
//    spawning, the machine asks (GroupRestartWanted) and waits for a Start;
//  - start_order = ready holds autostart while RestartAdvice::startGated.
// REQUIRES: the shell answers a Spawn decision with Spawned or SpawnFailed, and a
// failed SendSignal with SignalFailed, before it feeds any other event.

#include <sys/types.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "supervisord/config/config_model.h"
#include "supervisord/process/process_state.h"

namespace process {

// Wall-clock seconds since the Unix epoch, as Python's time.time(): the record's
// times are reported over XML-RPC (start, stop), so they are wall-clock times.
using WallTime = double;

// What Supervisor's Subprocess remembers between events (same names, same meaning).
struct ProcessRecord {
  ProcessState state = ProcessState::Stopped;
  pid_t pid = 0;                    // 0 when no child is alive
  WallTime laststart = 0;           // last spawn attempt; 0 = never started (autostart looks at this)
  WallTime laststop = 0;            // last time the child was reaped; 0 = never
  WallTime laststopreport = 0;      // last "waiting for x to stop" line, to throttle it
  WallTime delay = 0;               // BACKOFF: when the retry is due; STOPPING: when SIGKILL is due
  int backoff = 0;                  // serial start failures, the `tries` of STARTING/BACKOFF events
  std::optional<int> exitstatus;    // exit code once reaped, -1 when killed by a signal
  std::string spawnerr;             // why the last start failed ("" = none), shown for BACKOFF/FATAL
  bool killing = false;             // a stop signal was sent: the next exit is a stop, not a crash
  bool administrativeStop = false;  // stopped by a Stop request
  bool systemStop = false;          // put in FATAL by supervisord (GiveUp, too many tries)
  // Ours (restart policies):
  WallTime runningSince = 0;        // when it last entered RUNNING (backoff_reset counts from here)
  enum class PendingRestart { None, Restart, FailedStart };
  PendingRestart pendingRestart = PendingRestart::None;  // why a Restart is stopping it
  std::string restartReason;        // the Restart's reason ("liveness probe failed: …")
  bool awaitingGroup = false;       // its group restarts it (GroupRestartWanted sent)
};

// Whether a SendSignal is meant to stop the process (kill()) or only to signal it
// (signal()); echoed by SignalFailed, because Supervisor words the two failures apart.
enum class SignalPurpose { Kill, Signal };

// ---- Events: what the shell tells the machine ------------------------------------

struct Start {};                 // spawn(): a start request (startProcess, group start)
struct Stop {};                  // stop(): an administrative stop, with stopsignal
struct Signal { int signal; };   // signal(): signalProcess, without intending to stop it
struct GiveUp {                  // give_up(): stop_all() at shutdown turns BACKOFF into FATAL; ours: a
  std::string reason;            // group escalating puts its waiting members (EXITED, STOPPED) in FATAL too
};
struct Spawned { pid_t pid; };   // answer to Spawn: fork succeeded
struct SpawnFailed { std::string message; };  // answer to Spawn: Supervisor's spawnerr text
struct Exited { int waitStatus; };            // finish(): the child was reaped (output drained first)
struct SignalFailed {                         // answer to SendSignal: kill(2) failed
  SignalPurpose purpose;
  int errnum;          // ESRCH = it just exited on its own (not an error)
  std::string detail;  // e.g. "[Errno 1] Operation not permitted"
};
struct Tick {};        // transition(): time passed (the wakeAt timer fired, or any loop pass)
struct StopReport {};  // stop_report(): a stopProcess call is still waiting
struct Restart {       // ours: stop it and start it again (a liveness or readiness probe failed)
  std::string reason;
};
struct Ready {         // ours: its readiness probe succeeded
  std::string detail;
};

using Event = std::variant<Start, Stop, Signal, GiveUp, Spawned, SpawnFailed, Exited, SignalFailed, Tick, StopReport,
                           Restart, Ready>;

// What the restart policy (policy/) advises for this process right now; the shell
// computes it before each event. The default is Supervisor's behaviour.
struct RestartAdvice {
  double retryDelay = -1;      // seconds the next retry waits; < 0: Supervisor's linear `tries` seconds
  bool budgetSpent = false;    // one more automatic restart would spend restart_budget
  bool groupRestarts = false;  // its group's strategy restarts it (one_for_all, rest_for_one)
  bool startGated = false;     // start_order = ready: an earlier tier is not ready yet
};

// The instant an event is handled at, and whether supervisord may start processes
// (its mood is RUNNING). While shutting down or restarting Supervisor starts nothing
// (no autostart, autorestart or backoff retry) but still promotes, gives up and kills.
struct Moment {
  WallTime now = 0;
  bool supervisorRunning = true;
  RestartAdvice advice = {};
};

// ---- Decisions: what the shell must do, in order ---------------------------------

struct Spawn {};  // fork and exec the command now; answer with Spawned or SpawnFailed
struct SendSignal {
  pid_t pid;
  int signal;
  bool toGroup;  // kill(-pid, signal): the child's process group (stopasgroup/killasgroup)
  SignalPurpose purpose;
};
struct Log {
  config::LogLevel level;
  std::string text;  // Supervisor's wording, e.g. "spawned: 'x' with pid 123"
};
// Publish PROCESS_STATE_<to>. Values taken at the moment of the change, as
// Supervisor renders the payload eagerly: tries for STARTING/BACKOFF, expected and
// pid for EXITED, pid for RUNNING/STOPPING/STOPPED.
struct StateChanged {
  ProcessState from;
  ProcessState to;
  bool expected;
  int tries;
  pid_t pid;
};

// Ours: an automatic restart is being spawned (the shell counts it against the budget).
struct RestartCounted {};
// Ours: supervisord put the process in FATAL (too many start retries, or its restart
// budget is spent); the shell escalates as on_budget_spent says. `reason` is the spawnerr.
struct GaveUp {
  std::string reason;
};
// Ours: it must restart and its group's strategy restarts it; it waits for a Start.
struct GroupRestartWanted {};

using Decision = std::variant<Spawn, SendSignal, Log, StateChanged, RestartCounted, GaveUp, GroupRestartWanted>;

struct Step {
  ProcessRecord record;              // the new record
  std::vector<Decision> decisions;   // to carry out in order
  // Set when the event is not accepted in this state (e.g. Start while RUNNING):
  // the record is unchanged; the text says why, in Supervisor's words where it has
  // some ("process 'x' already running", "attempted to kill x with sig SIGTERM but
  // it wasn't running"), else "Assertion failed for x: STOPPED not in STARTING".
  std::optional<std::string> refusal;
  std::optional<WallTime> wakeAt;    // nextDeadline() of the new record
};

// Handles one event. The only function that changes a record.
Step handle(const config::ProcessConfig& config, const ProcessRecord& record, const Event& event,
            const Moment& moment);

// Ours: whether the process is not running but will start again by itself (an
// EXITED process waiting out its backoff delay or its group's restart, FATAL with
// fatal_retry): a stop request applies to it (and cancels that), as in BACKOFF.
bool restartPending(const config::ProcessConfig& config, const ProcessRecord& record);

// When a Tick would next change something: the STARTING -> RUNNING time, the
// BACKOFF retry, the SIGKILL deadline; a time at or before now (0 included) means
// "tick at once" (autostart, autorestart after EXITED, giving up after too many
// tries). nullopt: nothing to do until another event, so an idle process needs no
// timer at all. A deadline counts as reached at its own instant (Supervisor polls
// once a second and compares with a strict >; the difference is that instant).
// Extra Ticks at other times are harmless: they also catch a wall clock set back.
std::optional<WallTime> nextDeadline(const config::ProcessConfig& config, const ProcessRecord& record,
                                     bool supervisorRunning, const RestartAdvice& advice = {});

}  // namespace process
