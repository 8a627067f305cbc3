/*
 * core/fault.h - test-only hooks: one widens the windows of a purchase, so a test that
 * kills the server lands in the moment it aims at; one makes a step fail, so a test reaches
 * the path that handles its failure.
 *
 * PARTNERD_FAULT_PAUSE, read once at the first call, lists "point=ms" pairs separated by
 * commas (say "buy.attempted=300,buy.charged=300"); fault_pause(point) then says so on
 * standard error ("partnerd: paused at <point> for <ms> ms") and sleeps that long.
 * PARTNERD_FAULT_FAIL lists "point=times" pairs the same way: fault_fail(point) is true
 * that many times, then false. Unset (as in production) they do nothing: never set
 * them outside tests.
 */
#ifndef PD_CORE_FAULT_H
#define PD_CORE_FAULT_H

#include <stdbool.h>

/* Sleeps as long as PARTNERD_FAULT_PAUSE says for point, or returns at once. */
void fault_pause(const char *point);

/* True while PARTNERD_FAULT_FAIL has failures left for point (each call uses one). */
bool fault_fail(const char *point);

#endif
