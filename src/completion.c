/*
 * completion.c -- `propwatch completion bash|zsh`: shell completion made
 * from the option table, so it knows every subcommand's options, what
 * their values can be (--format's per subcommand, files, record types,
 * --via's networks) and never drifts from --help. `make install` writes
 * both to where bash-completion and zsh look.
 */
#include <stdio.h>
#include <string.h>

#include "completion.h"
#include "gate.h"
#include "msg.h"
#include "params.h"

/* Subcommands with a line each, and what a bare `propwatch` takes. */
static const struct {
	enum pw_mode mode;
	const char *about;
} subs[] = {
	{ MODE_CHECK, "one verdict, with an exit status" },
	{ MODE_WATCH, "live dashboard" },
	{ MODE_COMPARE, "how each resolver behaves" },
	{ MODE_MAIL, "lint mail DNS and its propagation" },
	{ MODE_TIMELINE, "draw a --log file" },
};

/* Record types worth offering (any other is typed by hand, or TYPE123). */
static const char types[] = "MX A AAAA TXT NS CNAME SOA SRV CAA PTR DS DNSKEY HTTPS SVCB "
                            "TLSA NAPTR SSHFP CDS CDNSKEY";

/* Values an option's argument takes, as a word list; "" for free text and
 * NULL for a file name. */
static const char *values(const struct opt_def *d, enum pw_mode mode)
{
	if (d->arg == NULL)
		return "";
	if (strcmp(d->arg, "FILE") == 0)
		return NULL;
	if (d->name && strcmp(d->name, "format") == 0)
		return params_formats(mode);
	if (d->name && strcmp(d->name, "via") == 0)
		return "globalping atlas";
	return "";
}

static bool applies(const struct opt_def *d, enum pw_mode mode)
{
	return d->modes & (1u << mode);
}

static void bash(FILE *f)
{
	fputs("# bash completion for propwatch (made by `propwatch completion bash`)\n"
	      "_propwatch() {\n"
	      "\tlocal cur prev words cword\n"
	      "\t_init_completion || return\n"
	      "\tlocal sub= i n=0\n"
	      "\tfor ((i = 1; i < cword; i++)); do\n"
	      "\t\tcase ${words[i]} in\n"
	      "\t\t",
	      f);
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		fprintf(f, "%s%s", i ? "|" : "", mode_name(subs[i].mode));
	fputs("|completion) sub=${words[i]}; break ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tif [[ -z $sub ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W '",
	      f);
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		fprintf(f, "%s ", mode_name(subs[i].mode));
	fputs("completion --help --version' -- \"$cur\"))\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tcase $sub in\n",
	      f);
	for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++) {
		enum pw_mode m = subs[k].mode;
		fprintf(f, "\t%s)\n\t\tcase $prev in\n", mode_name(m));
		for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
			if (!applies(d, m) || d->arg == NULL)
				continue;
			const char *v = values(d, m);
			fputs("\t\t", f);
			if (d->shortname)
				fprintf(f, "-%c%s", d->shortname, d->name ? "|" : "");
			if (d->name)
				fprintf(f, "--%s", d->name);
			if (v == NULL)
				fputs(") _filedir; return ;;\n", f);
			else if (v[0])
				fprintf(f,
				        ") COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n",
				        v);
			else
				fputs(") return ;;\n", f);
		}
		fputs("\t\tesac\n\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '",
		      f);
		for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
			if (!applies(d, m))
				continue;
			if (d->shortname)
				fprintf(f, "-%c ", d->shortname);
			if (d->name)
				fprintf(f, "--%s ", d->name);
		}
		fputs("' -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n", f);
		/* Operands: NAME then TYPE; mail's DOMAIN; timeline's FILE. The
		 * words before the cursor that are no option nor an option's
		 * value count. */
		if (m == MODE_TIMELINE) {
			fputs("\t\t_filedir\n", f);
		} else if (m != MODE_MAIL) {
			fputs("\t\tlocal takes=' ", f);
			for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
				if (!applies(d, m) || d->arg == NULL)
					continue;
				if (d->shortname)
					fprintf(f, "-%c ", d->shortname);
				if (d->name)
					fprintf(f, "--%s ", d->name);
			}
			fprintf(f,
			        "'\n"
			        "\t\tfor ((i = i + 1; i < cword; i++)); do\n"
			        "\t\t\tif [[ ${words[i]} == -* ]]; then\n"
			        "\t\t\t\t[[ $takes == *\" ${words[i]} \"* ]] && i=$((i + 1))\n"
			        "\t\t\telse\n"
			        "\t\t\t\tn=$((n + 1))\n"
			        "\t\t\tfi\n"
			        "\t\tdone\n"
			        "\t\t((n == 1)) && COMPREPLY=($(compgen -W '%s' -- \"${cur^^}\"))\n",
			        types);
		}
		fputs("\t\t;;\n", f);
	}
	fputs("\tcompletion) COMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\")) ;;\n"
	      "\tesac\n"
	      "}\n"
	      "complete -F _propwatch propwatch\n",
	      f);
}

/* Help text as a zsh description: its first line, without what _arguments
 * would take for syntax. */
static void zdesc(FILE *f, const char *s)
{
	for (; *s && *s != '\n'; s++) {
		if (strchr("[]:'\\", *s))
			fputc(*s == '\'' ? '`' : ' ', f);
		else
			fputc(*s, f);
	}
}

static void zsh(FILE *f)
{
	fputs("#compdef propwatch\n"
	      "# zsh completion for propwatch (made by `propwatch completion zsh`)\n"
	      "_propwatch() {\n"
	      "\tlocal -a subs\n"
	      "\tsubs=(\n",
	      f);
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		fprintf(f, "\t\t'%s:%s'\n", mode_name(subs[i].mode), subs[i].about);
	fputs("\t\t'completion:print shell completion'\n"
	      "\t)\n"
	      "\tif (( CURRENT == 2 )); then\n"
	      "\t\t_describe -t commands 'propwatch subcommand' subs\n"
	      "\t\t_arguments '--help[usage]' '--version[version]'\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tlocal sub=$words[2]\n"
	      "\tshift words\n"
	      "\t(( CURRENT-- ))\n"
	      "\tcase $sub in\n",
	      f);
	for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++) {
		enum pw_mode m = subs[k].mode;
		fprintf(f, "\t%s)\n\t\t_arguments -s \\\n", mode_name(m));
		for (const struct opt_def *d = params_table; d->name || d->shortname; d++) {
			if (!applies(d, m))
				continue;
			const char *v = values(d, m);
			char action[256] = "", arg[32] = "";
			for (size_t c = 0; d->arg && d->arg[c] && c < sizeof arg - 1; c++)
				arg[c] = strchr("[]:", d->arg[c]) ? '_' : d->arg[c];
			if (d->arg != NULL)
				snprintf(action, sizeof action, ":%s:%s", arg,
				         v == NULL ? "_files" : "");
			if (d->arg != NULL && v != NULL && v[0])
				snprintf(action, sizeof action, ":%s:(%s)", arg, v);
			/* Repeatable options may come again; the others exclude themselves. */
			const char *again = strstr(d->help, "repeatable") ? "*" : "";
			/* A table row gives both spellings, or one. */
			if (d->shortname && d->name) {
				fprintf(f, "\t\t\t'(-%c --%s)'{-%c,--%s}'[", d->shortname, d->name,
				        d->shortname, d->name);
			} else if (d->name) {
				fprintf(f, "\t\t\t'%s--%s[", again, d->name);
			} else {
				fprintf(f, "\t\t\t'-%c[", d->shortname);
			}
			zdesc(f, d->help);
			fprintf(f, "]%s' \\\n", action);
		}
		if (m == MODE_TIMELINE)
			fputs("\t\t\t'1:log:_files'\n", f);
		else if (m == MODE_MAIL)
			fputs("\t\t\t'1:domain:'\n", f);
		else
			fprintf(f, "\t\t\t'1:name:' '2:type:(%s)'\n", types);
		fputs("\t\t;;\n", f);
	}
	fputs("\tcompletion) _arguments '1:shell:(bash zsh)' ;;\n"
	      "\tesac\n"
	      "}\n"
	      "_propwatch \"$@\"\n",
	      f);
}

int completion_main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		bash(stdout);
	else if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		zsh(stdout);
	else if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: propwatch completion bash|zsh\n\n"
		       "Print shell completion for propwatch, made from its option table.\n"
		       "  bash: source it, or install it as propwatch in bash-completion's\n"
		       "        completions directory\n"
		       "  zsh:  install it as _propwatch in a directory of $fpath\n");
		return 0;
	} else {
		errorf("usage: propwatch completion bash|zsh");
		return EXIT_USAGE;
	}
	return fflush(stdout) != 0 || ferror(stdout) ? EXIT_OUTPUT : 0;
}
