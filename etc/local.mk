# etc/: the example configurations and the systemd unit.
examplesdir = $(docdir)/examples
dist_examples_DATA = etc/vpnd.conf etc/seed-dvti.conf etc/seed-ezvpn-client.conf
dist_doc_DATA = README.md

systemdsystemunit_DATA = etc/vpnd.service
EXTRA_DIST += etc/vpnd.service.in
CLEANFILES += etc/vpnd.service
etc/vpnd.service: $(srcdir)/etc/vpnd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && sed -e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@docdir[@]|$(docdir)|g' \
		$(srcdir)/etc/vpnd.service.in >$@

# The example configuration becomes $(sysconfdir)/vpnd.conf only where there is none: an
# operator's configuration is never overwritten.
install-data-hook:
	@if [ ! -e "$(DESTDIR)$(sysconfdir)/vpnd.conf" ]; then \
		$(MKDIR_P) "$(DESTDIR)$(sysconfdir)" && \
		$(INSTALL) -m 600 $(srcdir)/etc/vpnd.conf "$(DESTDIR)$(sysconfdir)/vpnd.conf" && \
		echo "installed $(DESTDIR)$(sysconfdir)/vpnd.conf"; \
	fi
