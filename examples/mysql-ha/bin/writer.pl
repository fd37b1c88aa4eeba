#!/usr/bin/perl
# writer.pl ROUTE_FILE ACK_FILE [FIRST_ID [PAUSE_SECONDS]]
#
# The application: inserts numbered rows (id FIRST_ID, FIRST_ID+1, ...) into demo.w, one
# autocommit INSERT at a time, as the unprivileged user app, on whatever host:port the
# route file names. A line "ack <id> <epoch seconds> <host:port>" goes to ACK_FILE only
# after the server answered OK: those are the rows that must never be lost. On any error
# it logs "error <id> <time> <target> <message>", drops the connection, reads the route
# file again and goes on with the next id (the failed id's fate is unknown: never counted).
# Stops on SIGTERM or SIGINT, after the current statement.
use strict;
use warnings;
use DBI;
use FindBin;
use lib $FindBin::Bin;
use RouteClient;
use IO::Handle;
use Time::HiRes qw(time sleep);

my ($route_file, $ack_file, $id, $pause) = @ARGV;
die "usage: writer.pl ROUTE_FILE ACK_FILE [FIRST_ID [PAUSE_SECONDS]]\n" unless $ack_file;
$id //= 1;
$pause //= 0.002;
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1 };

open(my $acks, '>>', $ack_file) or die "writer: $ack_file: $!\n";
$acks->autoflush(1);

my ($dbh, $connected_to);
while (!$stop) {
  my $t = RouteClient::target($route_file);
  if (!$t) { sleep 0.01; next; }
  if (!$dbh || $connected_to ne $t->[2]) {
    $dbh->disconnect if $dbh;
    $dbh = RouteClient::connect_to($t, 30);
    if (!$dbh) {
      printf $acks "error - %.6f %s connect: %s\n", time, $t->[2], RouteClient::one_line($DBI::errstr);
      sleep 0.005;
      next;
    }
    $connected_to = $t->[2];
  }
  if ($dbh->do('INSERT INTO w (id, server_id) VALUES (?, @@server_id)', undef, $id)) {
    printf $acks "ack %d %.6f %s\n", $id, time, $connected_to;
  } else {
    printf $acks "error %d %.6f %s %s\n", $id, time, $connected_to, RouteClient::one_line($dbh->errstr);
    $dbh->disconnect;
    $dbh = undef;
    sleep 0.005;
  }
  $id++;
  sleep $pause if $pause > 0;
}
$dbh->disconnect if $dbh;
