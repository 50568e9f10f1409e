/*
 * msg.h -- messages to the user on stderr.
 *
 * errorf() and warnf() prefix "propwatch: " so a message in a pipeline says
 * where it comes from; the format attribute lets the compiler check calls.
 */
#ifndef PW_MSG_H
#define PW_MSG_H

#define PW_PRINTF(f, a) __attribute__((format(printf, f, a)))

void errorf(const char *fmt, ...) PW_PRINTF(1, 2);
void warnf(const char *fmt, ...) PW_PRINTF(1, 2);
/* Only shown with -v. */
void infof(const char *fmt, ...) PW_PRINTF(1, 2);

/* Set by -v; read by infof(). */
extern int msg_verbose;

#endif
