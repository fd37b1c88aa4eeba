#include "supervisord/config/config_loader.h"

#include <arpa/inet.h>
#include <glob.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/ini_file.h"
#include "common/shell_words.h"
#include "common/value_types.h"
#include "supervisord/config/cluster_section.h"
#include "supervisord/config/known_keys.h"
#include "supervisord/config/policy_sections.h"
#include "supervisord/config/process_sections.h"
#include "supervisord/config/section_reader.h"

extern char** environ;

namespace config {
namespace {

using common::Result;


std::vector<std::string> splitWhitespace(const std::string& text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> globSorted(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

// [include] files: whitespace-separated globs relative to the main file's directory.
Result<void> readIncludes(common::IniFile& ini, const std::string& mainDirectory, const Expansions& environ,
                          const std::string& hostNodeName, Config& config) {
  const common::IniSection* include = ini.section("include");
  if (!include) return {};
  SectionReader r(ini, *include, environ);
  if (!include->find("files"))
    return r.sectionError(".ini file has [include] section, but no files setting");
  auto files = r.get("files", std::nullopt, {{"host_node_name", hostNodeName}});
  if (!files) return files.takeError();
  std::vector<std::string> patterns = splitWhitespace(**files);
  for (const auto& relative : patterns) {
    std::string pattern = relative.front() == '/' ? relative : mainDirectory + "/" + relative;
    auto filenames = globSorted(pattern);
    if (filenames.empty()) {
      config.warnings.push_back("No file matches via include \"" + pattern + "\"");
      continue;
    }
    for (const auto& filename : filenames) {
      config.infos.push_back("Included extra file \"" + filename + "\" during parsing");
      auto read = ini.readFile(filename);
      if (!read) return read.takeError();
    }
  }
  return {};
}

Result<Environment> parseEnvironment(const std::string& text) {
  auto pairs = common::parseKeyValuePairs(text);
  if (!pairs) return pairs.takeError();
  return Environment(pairs->begin(), pairs->end());
}

Result<void> readSupervisordSection(const common::IniFile& ini, Expansions& environ, const std::string& hostNodeName,
                                    const CommandLine& cli, SupervisordConfig& s) {
  const common::IniSection* section = ini.section("supervisord");
  SectionReader r(ini, *section, environ);
  TRY_ASSIGN(s.minfds, r.parse<long long>("minfds", "1024", common::parseInteger));
  TRY_ASSIGN(s.minprocs, r.parse<long long>("minprocs", "200", common::parseInteger));
  std::optional<std::string> text;
  TRY_ASSIGN(text, r.get("directory", std::nullopt));
  if (text) {
    auto dir = common::parseExistingDirectory(*text);
    if (!dir) return r.error("directory", dir.error());
    s.directory = *dir;
  }
  TRY_ASSIGN(s.user, r.get("user", std::nullopt));
  TRY_ASSIGN(s.umask, r.parse<long long>("umask", "022", common::parseOctal));
  TRY_ASSIGN(s.logfile, r.parse<std::string>("logfile", "supervisord.log", common::parseExistingDirPath));
  TRY_ASSIGN(s.logfileMaxbytes, r.parse<long long>("logfile_maxbytes", "50MB", common::parseByteSize));
  TRY_ASSIGN(s.logfileBackups, r.parse<long long>("logfile_backups", "10", common::parseInteger));
  int level = 20;
  TRY_ASSIGN(level, r.parse<int>("loglevel", "info", common::parseLogLevel));
  s.loglevel = static_cast<LogLevel>(level);
  TRY_ASSIGN(s.pidfile, r.parse<std::string>("pidfile", "supervisord.pid", common::parseExistingDirPath));
  TRY_ASSIGN(text, r.get("identifier", "supervisor"));
  s.identifier = *text;
  TRY_ASSIGN(s.nodaemon, r.parse<bool>("nodaemon", "false", common::parseBoolean));
  TRY_ASSIGN(s.silent, r.parse<bool>("silent", "false", common::parseBoolean));
  TRY_ASSIGN(s.childlogdir, r.parse<std::string>("childlogdir", common::tempDirectory(), common::parseExistingDirectory));
  TRY_ASSIGN(s.nocleanup, r.parse<bool>("nocleanup", "false", common::parseBoolean));
  TRY_ASSIGN(s.stripAnsi, r.parse<bool>("strip_ansi", "false", common::parseBoolean));
  TRY_ASSIGN(s.startOrder, readStartOrder(r));
  // Supervisor expands [supervisord] environment twice (saneget, then expand()).
  TRY_ASSIGN(text, r.get("environment", ""));
  Expansions second = environ;
  second["here"] = r.hereFor("environment");
  second["host_node_name"] = hostNodeName;
  auto expanded = expand(*text, second, "environment");
  if (!expanded) return r.error("environment", expanded.error());
  auto env = parseEnvironment(*expanded);
  if (!env) return r.error("environment", env.error());
  s.environment = *env;
  for (const auto& [k, v] : s.environment) environ["ENV_" + k] = v;

  // The command line wins over the file.
  if (cli.nodaemon) s.nodaemon = *cli.nodaemon;
  if (cli.silent) s.silent = *cli.silent;
  if (cli.nocleanup) s.nocleanup = *cli.nocleanup;
  if (cli.stripAnsi) s.stripAnsi = *cli.stripAnsi;
  if (cli.user) s.user = *cli.user;
  if (cli.logfile) s.logfile = *cli.logfile;
  if (cli.pidfile) s.pidfile = *cli.pidfile;
  if (cli.identifier) s.identifier = *cli.identifier;
  if (cli.childlogdir) s.childlogdir = *cli.childlogdir;
  if (cli.directory) s.directory = *cli.directory;
  if (cli.logfileMaxbytes) s.logfileMaxbytes = *cli.logfileMaxbytes;
  if (cli.logfileBackups) s.logfileBackups = *cli.logfileBackups;
  if (cli.minfds) s.minfds = *cli.minfds;
  if (cli.minprocs) s.minprocs = *cli.minprocs;
  if (cli.loglevel) s.loglevel = static_cast<LogLevel>(*cli.loglevel);
  if (cli.umask) s.umask = *cli.umask;

  if (s.user) {
    auto uid = common::resolveUser(*s.user);
    if (!uid) return r.error("user", uid.error());
  }
  if (s.logfile != "syslog") s.logfile = common::normalizePath(s.logfile);
  s.pidfile = common::normalizePath(s.pidfile);
  return {};
}

Result<std::pair<std::optional<std::string>, std::optional<std::string>>> readCredentials(const SectionReader& r) {
  auto username = r.raw("username");
  auto password = r.raw("password");
  if (username.has_value() != password.has_value())
    return r.sectionError("Section [" + r.name() +
                          "] contains incomplete authentication: If a username or a password is specified, both the "
                          "username and password must be specified");
  return std::make_pair(username, password);
}

// Only this host can reach a server bound to `host` (as written in port=):
// 127.0.0.0/8, ::1 (also IPv4-mapped) or "localhost". Other names are not
// resolved here: they count as reachable from the network.
bool isLoopbackHost(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

Result<std::vector<HttpServerConfig>> readServers(const common::IniFile& ini, const Expansions& environ) {
  std::vector<HttpServerConfig> servers;
  for (const auto& section : ini.sections()) {
    if (!section.name.starts_with("inet_http_server")) continue;
    SectionReader r(ini, section, environ);
    HttpServerConfig c;
    c.family = HttpServerConfig::Family::Inet;
    c.section = section.name;
    auto credentials = readCredentials(r);
    if (!credentials) return credentials.takeError();
    std::tie(c.username, c.password) = *credentials;
    auto port = r.get("port", std::nullopt);
    if (!port) return port.takeError();
    if (!*port) return r.sectionError("section [" + section.name + "] has no port value");
    auto address = common::parseInetAddress(**port);
    if (!address) return r.error("port", address.error());
    std::tie(c.host, c.port) = *address;
    TRY_ASSIGN(c.allowUnauthenticated, r.parse<bool>("allow_unauthenticated", "false", common::parseBoolean));
    // A deliberate difference from Supervisor, which only logs a CRIT line:
    // an XML-RPC server open to the network without a password runs any
    // command a program section could (supervisor.addProcessGroup after a
    // config change, stdin to shells, ...) for anyone who can reach it.
    if (!c.username && !c.allowUnauthenticated && !isLoopbackHost(c.host))
      return r.error("port", "port=" + **port + " is reachable from other hosts (not a loopback address) and " +
                                 "the section has no username and password: anyone who can reach it could " +
                                 "control supervisord. Set username and password, bind 127.0.0.1, or set " +
                                 "allow_unauthenticated = true to accept this");
    servers.push_back(std::move(c));
  }
  for (const auto& section : ini.sections()) {
    if (!section.name.starts_with("unix_http_server")) continue;
    SectionReader r(ini, section, environ);
    HttpServerConfig c;
    c.family = HttpServerConfig::Family::Unix;
    c.section = section.name;
    auto file = r.get("file", std::nullopt);
    if (!file) return file.takeError();
    if (!*file) return r.sectionError("section [" + section.name + "] has no file value");
    std::string path = **file;
    path.erase(0, path.find_first_not_of(" \t\n"));
    path.erase(path.find_last_not_of(" \t\n") + 1);
    c.file = common::normalizePath(path);
    auto credentials = readCredentials(r);
    if (!credentials) return credentials.takeError();
    std::tie(c.username, c.password) = *credentials;
    if (auto chown = r.raw("chown")) {
      auto owner = common::parseUserGroup(*chown);
      if (!owner) return r.error("chown", "Invalid sockchown value " + *chown);
      std::tie(c.chownUid, c.chownGid) = *owner;
    }
    if (auto chmod = r.raw("chmod")) {
      auto mode = common::parseOctal(*chmod);
      if (!mode) return r.error("chmod", "Invalid chmod value " + *chmod);
      c.chmod = static_cast<mode_t>(*mode);
    }
    servers.push_back(std::move(c));
  }
  return servers;
}

constexpr const char* kBuiltInRpcFactory = "supervisor.rpcinterface:make_main_rpcinterface";

Result<std::vector<RpcInterfaceConfig>> readRpcInterfaces(const common::IniFile& ini, const Expansions& environ,
                                                          std::vector<std::string>& warnings) {
  std::vector<RpcInterfaceConfig> out;
  for (const auto& section : ini.sections()) {
    if (!section.name.starts_with("rpcinterface:")) continue;
    SectionReader r(ini, section, environ);
    auto factory = r.raw("supervisor.rpcinterface_factory");
    if (!factory)
      return r.sectionError("section [" + section.name + "] does not specify a supervisor.rpcinterface_factory");
    if (*factory != kBuiltInRpcFactory)
      warnings.push_back(r.location("supervisor.rpcinterface_factory") + ": [" + section.name +
                         "] factory " + *factory + " is not supported and is ignored (the supervisor API is built in)");
    out.push_back({section.name.substr(section.name.find(':') + 1), *factory});
  }
  return out;
}

}  // namespace

Environment currentEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env.emplace_back(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return env;
}

std::string currentHostNodeName() {
  struct utsname u {};
  if (::uname(&u) != 0) return "";
  return u.nodename;
}

Result<Config> loadConfig(const LoadOptions& options) {
  Config config;
  config.configFile = common::normalizePath(options.configFile);
  config.here = common::directoryOf(config.configFile);

  common::IniFile ini;
  if (::access(config.configFile.c_str(), F_OK) != 0)
    return common::makeError("could not find config file " + options.configFile);
  auto read = ini.readFile(config.configFile);
  if (!read) return read.takeError();

  Expansions environ;
  for (const auto& [k, v] : options.daemonEnvironment) environ["ENV_" + k] = v;

  auto includes = readIncludes(ini, config.here, environ, options.hostNodeName, config);
  if (!includes) return includes.takeError();

  if (!ini.hasSection("supervisord"))
    return common::makeError(config.configFile + ": .ini file does not include supervisord section");

  auto supervisord = readSupervisordSection(ini, environ, options.hostNodeName, options.overrides, config.supervisord);
  if (!supervisord) return supervisord.takeError();

  auto rpc = readRpcInterfaces(ini, environ, config.warnings);
  if (!rpc) return rpc.takeError();
  config.rpcinterfaces = std::move(*rpc);

  ProcessSectionContext context{ini, environ, config.supervisord.environment, options.hostNodeName, config.warnings};
  auto groups = processGroupsFromSections(context);
  if (!groups) return groups.takeError();
  config.groups = std::move(*groups);

  auto servers = readServers(ini, environ);
  if (!servers) return servers.takeError();
  config.servers = std::move(*servers);
  for (const auto& s : config.servers)
    if (s.family == HttpServerConfig::Family::Unix) {
      config.serverurl = "unix://" + s.file;
      break;
    }
  if (!config.serverurl)
    for (const auto& s : config.servers)
      if (s.family == HttpServerConfig::Family::Inet) {
        config.serverurl = "http://" + (s.host.empty() ? std::string("localhost") : s.host) + ":" + std::to_string(s.port);
        break;
      }

  auto cluster = readClusterSection(ini, environ, options.hostNodeName);
  if (!cluster) return cluster.takeError();
  config.cluster = std::move(*cluster);

  warnAboutUnknownKeys(ini, config.configFile, config.warnings);
  return config;
}

}  // namespace config
