#!/usr/bin/perl
# reader.pl ROUTE_FILE READ_FILE [PAUSE_SECONDS]
#
# A reading client beside writer.pl: every PAUSE_SECONDS (default 0.02) it asks
# SELECT MAX(id) FROM demo.w, as the unprivileged user app, on whatever host:port the route
# file names, and appends "read <max> <epoch seconds> <host:port>" to READ_FILE (max 0 for
# an empty table; the time is taken when the answer came). With lossless semi-sync
# (AFTER_SYNC) a row is visible only once a replica has received it, and the election
# promotes the replica that received the most, so through the route these values must never
# go backwards (the nemesis checks it). On any error it logs "error - <time> <target>
# <message>", drops the connection and reads the route file again; it also reconnects when
# the route file names another target. Stops on SIGTERM or SIGINT, after the current query.
use strict;
use warnings;
use DBI;
use FindBin;
use lib $FindBin::Bin;
use RouteClient;
use IO::Handle;
use Time::HiRes qw(time sleep);

my ($route_file, $read_file, $pause) = @ARGV;
die "usage: reader.pl ROUTE_FILE READ_FILE [PAUSE_SECONDS]\n" unless $read_file;
$pause //= 0.02;
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

open(my $reads, '>>', $read_file) or die "reader: $read_file: $!\n";
$reads->autoflush(1);

my ($dbh, $connected_to);
while (!$stop) {
  my $t = RouteClient::target($route_file);
  if (!$t) { sleep 0.01; next; }
  if (!$dbh || $connected_to ne $t->[2]) {
    $dbh->disconnect if $dbh;
    $dbh = RouteClient::connect_to($t, 5);
    if (!$dbh) {
      printf $reads "error - %.6f %s connect: %s\n", time, $t->[2], RouteClient::one_line($DBI::errstr);
      sleep $pause;
      next;
    }
    $connected_to = $t->[2];
  }
  my $row = $dbh->selectrow_arrayref('SELECT COALESCE(MAX(id), 0) FROM w');
  if ($row) {
    printf $reads "read %d %.6f %s\n", $row->[0], time, $connected_to;
  } else {
    printf $reads "error - %.6f %s %s\n", time, $connected_to, RouteClient::one_line($dbh->errstr);
    $dbh->disconnect;
    $dbh = undef;
  }
  sleep $pause if $pause > 0;
}
$dbh->disconnect if $dbh;
