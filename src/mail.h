/*
 * mail.h -- `propwatch mail DOMAIN` (mail_main.c): lint a domain's mail
 * DNS as its authoritative servers serve it, and tell how far each of
 * those records has propagated across the resolvers.
 */
#ifndef PW_MAIL_H
#define PW_MAIL_H

/* Run the mail subcommand; argv[0] is "mail". Returns the exit status. */
int mail_main(int argc, char **argv);

#endif
