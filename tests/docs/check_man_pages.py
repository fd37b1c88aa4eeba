#!/usr/bin/env python3
"""The man pages (docs/man/*.scd) against the code they describe.

    check_man_pages.py SUPERVISORD SUPERVISORCTL

- supervisord.conf.5.scd documents every key each section accepts, as the config
  readers list them (supervisord/config/known_keys.cpp and the key lists it takes
  from policy_sections.cpp and cluster_section.cpp), and no key they do not accept;
  every key a reader reads and every event type appear in it.
- supervisord.8.scd documents every option `supervisord --help` prints, and no other.
- supervisorctl.1.scd documents every option `supervisorctl --help` prints and every
  command `supervisorctl help` lists, and no command without help.

A key, option or command is documented when it is a term of a definition list:
a line at column 0 such as `*startsecs* = _1_` or `*-c*, *--configuration* _FILE_`,
followed by its tab-indented description. Exits 1 naming everything missing.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN = os.path.join(PROJECT, "docs", "man")
CONFIG = os.path.join(PROJECT, "supervisord", "config")
PAGES = ("supervisord.8.scd", "supervisorctl.1.scd", "supervisord.conf.5.scd")

# Sections whose keys are documented under another heading as well as their own:
# the program keys apply to listeners and FastCGI programs, the restart-policy keys
# to programs and FastCGI programs (supervisord.conf.5.scd says so in words).
POLICY_HEADING = "RESTART POLICY KEYS"
ALSO_DOCUMENTED_UNDER = {
    "program:": [POLICY_HEADING],
    "eventlistener:": ["[program:x]"],
    "fcgi-program:": ["[program:x]", POLICY_HEADING],
}

problems = []


def problem(message):
    problems.append(message)


class SourceError(Exception):
    """The test no longer understands the code it reads: update it with the code."""


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- the config readers' key lists -------------------------------------------------

def literals(text):
    return re.findall(r'"((?:[^"\\]|\\.)*)"', text)


def braced(text, start):
    """The text between the brace at `start` and its match."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    raise SourceError("unbalanced braces")


def function_body(sources, name):
    """The body of the function `name` defined in one of `sources` ({path: text})."""
    for path, text in sources.items():
        match = re.search(r"\b%s\([^)]*\)\s*\{" % re.escape(name), text)
        if match:
            return path, braced(text, match.end() - 1)
    raise SourceError("no function %s() in %s" % (name, ", ".join(sorted(map(os.path.basename, sources)))))


def named_list(sources, name):
    """A constant array or vector of string literals, `name = {...}` or `name[] = {...}`."""
    for text in sources.values():
        match = re.search(r"\b%s(?:\[\])?\s*=\s*\{" % re.escape(name), text)
        if match:
            return literals(braced(text, match.end() - 1))
    raise SourceError("no list %s" % name)


def keys_of_function(sources, name):
    """What a key-list function returns: its initializer list, plus the keys its
    loops build (`for (p : {...}) { push_back(p); for (s : SUFFIXES) push_back(p + s) }`)."""
    path, body = function_body(sources, name)
    initializer = re.search(r"=\s*\{", body)
    if not initializer:
        raise SourceError("%s(): no initializer list in %s" % (name, os.path.basename(path)))
    keys = literals(braced(body, initializer.end() - 1))
    loops = re.findall(r"for \(const (?:char\s*\*|std::string) (\w+) : (\{[^}]*\}|\w+)\)", body)
    lists = {}
    for variable, items in loops:
        lists[variable] = literals(items) if items.startswith("{") else named_list(sources, items)
    for prefix, prefixes in lists.items():
        if re.search(r"push_back\(\s*%s\s*\)" % prefix, body):
            keys += prefixes
        for suffix, suffixes in lists.items():
            if re.search(r"\b%s\)?\s*\+\s*%s\b" % (prefix, suffix), body):
                keys += [p + s for p in prefixes for s in suffixes]
    if not keys:
        raise SourceError("%s() yields no key" % name)
    return keys


def split_arguments(text):
    depth, start, parts = 0, 0, []
    for i, c in enumerate(text):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def evaluate(sources, locals_, expression):
    """A key-list expression of keysFor(): withExtra(a, b), {"k", ...}, f(), a name."""
    expression = expression.strip().lstrip("&")
    if expression.startswith("withExtra(") and expression.endswith(")"):
        keys = []
        for argument in split_arguments(expression[len("withExtra("):-1]):
            keys += evaluate(sources, locals_, argument)
        return keys
    if expression.startswith("{"):
        return literals(expression)
    if re.fullmatch(r"\w+\(\)", expression):
        return keys_of_function(sources, expression[:-2])
    if re.fullmatch(r"\w+", expression):
        if expression in locals_:
            return evaluate(sources, locals_, locals_[expression])
        return named_list(sources, expression)
    raise SourceError("cannot read the key list %r" % expression)


def accepted_keys():
    """{section prefix: set of keys, or None when any key is accepted}, from keysFor()."""
    sources = {os.path.join(CONFIG, f): read(os.path.join(CONFIG, f))
               for f in ("known_keys.cpp", "policy_sections.cpp", "cluster_section.cpp")}
    _, body = function_body(sources, "keysFor")
    locals_ = dict(re.findall(r"static const std::vector<std::string> (\w+) =\s*(.*?);\n", body, re.S))
    sections = {}
    for condition, result in re.findall(r"if \((.*?)\) return ([^;]+);", body):
        for section in literals(condition):
            sections[section] = None if result == "nullptr" else set(evaluate(sources, locals_, result))
    for must in ("supervisord", "program:", "group:", "cluster"):
        if must not in sections:
            raise SourceError("keysFor() does not name [%s]" % must)
    return sections


def keys_read_by_readers():
    """Literal keys handed to a SectionReader (r.get("x"), readProbe(r, "x", ...)),
    and those supervisorctl reads from [supervisorctl], by file."""
    found = {}
    for name in sorted(os.listdir(CONFIG)):
        if not name.endswith(".cpp"):
            continue
        text = read(os.path.join(CONFIG, name))
        keys = re.findall(r"\b(?:r|reader)\.(?:parse<[^(]*?>|get|raw|has|error|location|hereFor)\(\s*\"([^\"]+)\"", text)
        keys += re.findall(r"\bread(?:Optional<[^>]*>|Command|Probe)\(\s*r,\s*\"([^\"]+)\"", text)
        keys += re.findall(r"->find\(\"([^\"]+)\"\)", text)
        found[os.path.join("supervisord", "config", name)] = set(keys)
    client = os.path.join("supervisorctl", "client_options.cpp")
    found[client] = set(re.findall(r"(?<![.>\w])get\(\"([a-z_]+)\",", read(os.path.join(PROJECT, client))))
    return found


def event_types():
    text = read(os.path.join(CONFIG, "process_sections.cpp"))
    match = re.search(r"eventTypeNames\(\)\s*\{", text)
    if not match:
        raise SourceError("no eventTypeNames() in process_sections.cpp")
    return literals(braced(text, match.end() - 1))


# ---- the pages ------------------------------------------------------------------------

def without_literal_blocks(text):
    return re.sub(r"^```.*?^```\s*$", "", text, flags=re.S | re.M)


def chapters(text):
    """{heading of each `# ` chapter: its lines}; `## ` sections stay in their chapter."""
    result, heading = {}, None
    for line in without_literal_blocks(text).splitlines():
        if line.startswith("# "):
            heading = line[2:].strip()
            result[heading] = []
        elif heading is not None:
            result[heading].append(line)
    return result


def terms(lines):
    """Every bold word of every term line: a line at column 0 followed by a tab-indented one."""
    found = []
    for line, following in zip(lines, lines[1:] + [""]):
        if line and not line[0].isspace() and following.startswith("\t"):
            found += re.findall(r"\*([^*\s]+)\*", line)
    return found


def chapter_named(pages, page, wanted):
    for heading, lines in pages[page].items():
        if heading == wanted or heading.startswith(wanted + " ") or heading.startswith(wanted + "("):
            return lines
    problem("%s: no chapter '# %s'" % (page, wanted))
    return []


def heading_for_section(section):
    return "[%s]" % (section + "x" if section.endswith(":") else section)


def check_scdoc_sources(texts):
    for page, text in texts.items():
        name = page[:-len(".scd")]
        stem, section = name.rsplit(".", 1)
        if not text.startswith("%s(%s)" % (stem, section)):
            problem("%s: the first line must be '%s(%s)'" % (page, stem, section))
        for number, line in enumerate(without_literal_blocks(text).splitlines(), 1):
            # scdoc drops the leading dot of a text line (it would be a roff request).
            if line.lstrip("\t").startswith("."):
                problem("%s: a text line starts with '.', which scdoc drops: %r" % (page, line))
    scdoc = shutil.which("scdoc")
    if not scdoc:
        print("note: scdoc is not installed; the pages were not compiled")
        return
    for page in texts:
        with open(os.path.join(MAN, page), "rb") as source:
            run = subprocess.run([scdoc], stdin=source, capture_output=True)
        if run.returncode != 0:
            problem("%s: scdoc fails: %s" % (page, run.stderr.decode(errors="replace").strip()))


def check_config_page(pages):
    page = "supervisord.conf.5.scd"
    chapters_ = pages[page]
    accepted = accepted_keys()
    documented_under = {heading: set(terms(lines)) for heading, lines in chapters_.items()}

    def documented_in(heading_prefix):
        for heading, keys in documented_under.items():
            if heading == heading_prefix or heading.startswith(heading_prefix + " "):
                return heading, keys
        return None, set()

    users = {}  # heading -> sections whose keys it documents
    for section, keys in sorted(accepted.items()):
        own, documented = documented_in(heading_for_section(section))
        if own is None:
            problem("%s: no chapter '# %s' for the section the daemon accepts"
                    % (page, heading_for_section(section)))
            continue
        users.setdefault(own, []).append(section)
        for other in ALSO_DOCUMENTED_UNDER.get(section, []):
            heading, more = documented_in(other)
            if heading is None:
                problem("%s: no chapter '# %s'" % (page, other))
                continue
            users.setdefault(heading, []).append(section)
            documented = documented | more
        if keys is None:
            continue
        for key in sorted(keys - documented):
            problem("%s: key '%s' of [%s] is not documented (supervisord/config/known_keys.cpp accepts it)"
                    % (page, key, heading_for_section(section)[1:-1]))
    for heading, sections in sorted(users.items()):
        for key in sorted(documented_under[heading]):
            refusing = [s for s in sections if accepted[s] is not None and key not in accepted[s]]
            if refusing:
                problem("%s: '# %s' documents key '%s', which [%s] does not accept (known_keys.cpp)"
                        % (page, heading, key, "], [".join(heading_for_section(s)[1:-1] for s in refusing)))
    every_documented = set().union(*documented_under.values())
    for path, keys in keys_read_by_readers().items():
        for key in sorted(keys - every_documented):
            problem("%s: key '%s', read in %s, is not documented" % (page, key, path))
    text = "\n".join(line for lines in chapters_.values() for line in lines)
    for event in event_types():
        if not re.search(r"(?<![A-Z_])%s(?![A-Z_0-9])" % event, text):
            problem("%s: event type %s (process_sections.cpp) is not listed" % (page, event))
    return sum(len(k) for k in accepted.values() if k is not None), len(accepted)


def options_in_help(text):
    """`-c/--configuration FILE -- ...` and `--minprocs NUM -- ...` lines."""
    options = []
    for line in text.splitlines():
        match = re.match(r"(-\S)/(--[\w-]+)|(--[\w-]+)", line)
        if match:
            options += [o for o in match.groups() if o]
    return options


def check_options(pages, page, program, help_text):
    help_options = options_in_help(help_text)
    if not help_options:
        problem("%s --help: no option found in its output:\n%s" % (program, help_text))
    documented = set(o for o in terms(chapter_named(pages, page, "OPTIONS")) if o.startswith("-"))
    for option in help_options:
        if option not in documented:
            problem("%s: option %s (in `%s --help`) is not documented under OPTIONS" % (page, option, program))
    for option in sorted(documented - set(help_options)):
        problem("%s: OPTIONS documents %s, which `%s --help` does not print" % (page, option, program))
    return len(help_options)


def run(command):
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        problem("`%s` exited %d: %s" % (" ".join(command), done.returncode, (done.stderr or done.stdout).strip()))
    return done.stdout


def check_supervisorctl_commands(pages, supervisorctl):
    page = "supervisorctl.1.scd"
    with tempfile.TemporaryDirectory() as directory:
        # help needs no server; a config of our own keeps any other file out.
        config = os.path.join(directory, "supervisord.conf")
        with open(config, "w") as f:
            f.write("[supervisorctl]\nserverurl = unix://%s/none.sock\n" % directory)
        listing = run([supervisorctl, "-c", config, "help"])
        listed = []
        for block in re.split(r"\n\s*\n", listing):
            lines = block.strip().splitlines()
            if len(lines) >= 3 and "(type help <topic>)" in lines[0]:
                for line in lines[2:]:
                    listed += line.split()
        if not listed:
            problem("`supervisorctl help` lists no command:\n%s" % listing)
        documented = set(terms(chapter_named(pages, page, "COMMANDS")))
        for command in listed:
            if command not in documented:
                problem("%s: command '%s' (in `supervisorctl help`) is not documented under COMMANDS"
                        % (page, command))
        commands_chapter = chapter_named(pages, page, "COMMANDS")
        first_words = set()
        for line, following in zip(commands_chapter, commands_chapter[1:] + [""]):
            if line.startswith("*") and following.startswith("\t"):
                first_words.update(re.findall(r"(?:^|, )\*([a-z]+)\*", line))
        for command in sorted(first_words - set(listed)):
            answer = run([supervisorctl, "-c", config, "help", command])
            if not answer.strip() or answer.startswith("*** No help on"):
                problem("%s: COMMANDS documents '%s', for which `supervisorctl help %s` has no help"
                        % (page, command, command))
    return len(listed)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    supervisord, supervisorctl = sys.argv[1:]
    texts = {page: read(os.path.join(MAN, page)) for page in PAGES}
    pages = {page: chapters(text) for page, text in texts.items()}
    check_scdoc_sources(texts)
    try:
        keys, sections = check_config_page(pages)
    except SourceError as error:
        problem("cannot read the config readers' key lists: %s (update tests/docs/check_man_pages.py)" % error)
        keys = sections = 0
    daemon_options = check_options(pages, "supervisord.8.scd", "supervisord", run([supervisord, "--help"]))
    version = run([supervisord, "--version"]).strip()
    if version and version not in texts["supervisord.8.scd"]:
        problem("supervisord.8.scd: the version `supervisord --version` prints (%s) is not mentioned" % version)
    client_options = check_options(pages, "supervisorctl.1.scd", "supervisorctl", run([supervisorctl, "--help"]))
    commands = check_supervisorctl_commands(pages, supervisorctl)
    for message in problems:
        print(message)
    if problems:
        print("%d problem(s) in docs/man: fix the page (or the code) named above" % len(problems))
        return 1
    print("docs/man agrees with the code: %d keys in %d sections, %d supervisord options, "
          "%d supervisorctl options, %d supervisorctl commands" % (keys, sections, daemon_options, client_options,
                                                                    commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
