/* version.h - the release of this source tree. */
#ifndef PD_VERSION_H
#define PD_VERSION_H

#define PARTNERD_VERSION "0.1.0"

#endif
