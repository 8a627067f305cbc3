/*
 * core/fault.h - a test-only hook that widens the windows of a purchase, so a test that
 * kills the server lands in the moment it aims at.
 *
 * PARTNERD_FAULT_PAUSE, read once at the first call, lists "point=ms" pairs separated by
 * commas (say "buy.attempted=300,buy.charged=300"); fault_pause(point) then sleeps that
 * long. Unset (as in production) it does nothing: never set it outside tests.
 */
#ifndef PD_CORE_FAULT_H
#define PD_CORE_FAULT_H

/* Sleeps as long as PARTNERD_FAULT_PAUSE says for point, or returns at once. */
void fault_pause(const char *point);

#endif
