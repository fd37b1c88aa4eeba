#pragma once
// HttpServers: the daemon's [inet_http_server] and [unix_http_server], on the
// Supervisor's loop, with Supervisor 4.2.5's routes (http.py::make_http_servers):
//   POST /RPC2                               XML-RPC (supervisor.*, system.*)
//   GET  /logtail/<namespec>[/stdout|stderr] the last 1024 bytes of a process log, then tail -f
//   GET  /mainlogtail                        the same for the daemon's log
//   GET  /ok.html                            a health check (200)
// Anything else is 404 (the web UI comes later). Basic auth guards every route
// when the section sets a username; without one, the CRIT line Supervisor
// writes ("Server 'unix_http_server' running without any HTTP authentication
// checking"), plus a second CRIT line when allow_unauthenticated is set.
// Limits are common::HttpServerOptions' defaults: a 2 MiB request body (413),
// 128 connections (503), 30 s per request. A slow XML-RPC call (startProcess
// with wait) answers later without holding up other clients.

#include <memory>

#include "common/result.h"
#include "supervisord/daemon/supervisor.h"

namespace rpc {

class HttpServers final : public supervisord::Service {
 public:
  // Opens every configured server (none configured: an empty set). Errors in
  // Supervisor's words, e.g. "Another program is already listening on a port
  // that one of our HTTP servers is configured to use.  Shut this program down
  // first before starting supervisord." `supervisor` must outlive the result.
  static common::Result<std::unique_ptr<HttpServers>> open(supervisord::Supervisor& supervisor);
  ~HttpServers() override;
  HttpServers(const HttpServers&) = delete;
  HttpServers& operator=(const HttpServers&) = delete;

  // Stops accepting, drops every connection, removes the socket files. Idempotent.
  void close();

 private:
  struct Impl;
  explicit HttpServers(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rpc
