# make install [PREFIX=/usr/local] [DESTDIR=]: the release binaries, the systemd units and a default
# /etc/tidings/Feeds.yaml (kept if one exists). State lives in /var/lib/tidings (systemd's StateDirectory).
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(SYSCONFDIR)/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user

.PHONY: build install install-user uninstall completions manual
build:
	swift build -c release --product tidingsd
	swift build -c release --product tidings

# Shell completions and man pages, generated from the command definitions (swift-argument-parser).
completions: build
	mkdir -p .build/completions
	.build/release/tidings --generate-completion-script bash > .build/completions/tidings.bash
	.build/release/tidings --generate-completion-script zsh > .build/completions/_tidings
	.build/release/tidings --generate-completion-script fish > .build/completions/tidings.fish

manual:
	swift package plugin --allow-writing-to-package-directory generate-manual
	mkdir -p .build/manual
	cp .build/plugins/GenerateManual/outputs/tidings/tidings.1 .build/plugins/GenerateManual/outputs/tidingsd/tidingsd.1 .build/manual/

install: build completions manual
	install -D -m 644 .build/completions/tidings.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tidings
	install -D -m 644 .build/completions/_tidings $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tidings
	install -D -m 644 .build/completions/tidings.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/tidings.fish
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 .build/manual/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 755 .build/release/tidingsd $(DESTDIR)$(PREFIX)/bin/tidingsd
	install -D -m 755 .build/release/tidings $(DESTDIR)$(PREFIX)/bin/tidings
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR)
	sed 's#/usr/local/bin/tidingsd#$(PREFIX)/bin/tidingsd#' systemd/tidingsd.service > $(DESTDIR)$(UNITDIR)/tidingsd.service
	sed 's#%h/.local/bin/tidingsd#$(PREFIX)/bin/tidingsd#' systemd/tidingsd.user.service > $(DESTDIR)$(USERUNITDIR)/tidingsd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/tidingsd.service $(DESTDIR)$(USERUNITDIR)/tidingsd.service
	test -e $(DESTDIR)$(SYSCONFDIR)/tidings/Feeds.yaml || install -D -m 644 Feeds.yaml $(DESTDIR)$(SYSCONFDIR)/tidings/Feeds.yaml

# For one user, no root: binaries in ~/.local/bin, the user unit, ~/.config/tidings/Feeds.yaml.
install-user: build
	install -D -m 755 .build/release/tidingsd $(HOME)/.local/bin/tidingsd
	install -D -m 755 .build/release/tidings $(HOME)/.local/bin/tidings
	install -D -m 644 systemd/tidingsd.user.service $(HOME)/.config/systemd/user/tidingsd.service
	test -e $(HOME)/.config/tidings/Feeds.yaml || install -D -m 644 Feeds.yaml $(HOME)/.config/tidings/Feeds.yaml

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tidingsd $(DESTDIR)$(PREFIX)/bin/tidings
	rm -f $(DESTDIR)$(UNITDIR)/tidingsd.service $(DESTDIR)$(USERUNITDIR)/tidingsd.service
