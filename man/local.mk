# man/: the manuals (mdoc), and the check that every keyword the parser knows has an entry
# in vpnd.conf(5).
dist_man_MANS = man/vpnd.8 man/vpnctl.8 man/vpnd.conf.5

# test_man.sh: every keyword path of the parser (listed by conf_words) has an entry in
# vpnd.conf(5), every entry names a keyword the parser knows, and mandoc -T lint is clean.
check_PROGRAMS += test/unit/conf_words
test_unit_conf_words_SOURCES = test/unit/conf_words.c
test_unit_conf_words_LDADD = common/libvpndcommon.a $(CRYPTO_LIBS)
TESTS += test/unit/test_man.sh
EXTRA_DIST += test/unit/test_man.sh
