# RouteClient: what writer.pl and reader.pl share, the application's side of the route:
# where the route file points, and a connection there as the unprivileged user app.
package RouteClient;
use strict;
use warnings;
use DBI;

# target(ROUTE_FILE): [host, port, "host:port"] from the file's first line, or undef.
sub target {
  my ($route_file) = @_;
  open(my $f, '<', $route_file) or return undef;
  my $line = <$f>;
  close $f;
  return undef unless defined $line;
  chomp $line;
  return $line =~ /^([\w.\-]+):(\d+)$/ ? [$1, $2, $line] : undef;
}

# connect_to(TARGET, READ_TIMEOUT): a handle on database demo there, or undef ($DBI::errstr says why).
sub connect_to {
  my ($t, $read_timeout) = @_;
  return DBI->connect("DBI:MariaDB:host=$t->[0];port=$t->[1];database=demo;"
                      . "mariadb_connect_timeout=1;mariadb_read_timeout=$read_timeout;mariadb_write_timeout=5",
                      'app', 'apppw', { RaiseError => 0, PrintError => 0, AutoCommit => 1 });
}

# one_line(TEXT): an error message on one line.
sub one_line { return (($_[0] // '?') =~ s/\s+/ /gr); }

1;
