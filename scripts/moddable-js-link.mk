# Keel's make fragment for `npm run check:moddable`: the JavaScript half of a
# device build (esp32, pico) without the device's C toolchain.
#
# check-moddable.mjs names this file as MAKE_FRAGMENT in the "build" section
# of a wrapper manifest (a documented mcconfig hook that replaces the
# platform's make fragment). mcconfig then writes its usual definitions and
# module rules (xsc for every module) around it, and `make keel-js-link`
# compiles every module and links them with xsl, preloads and creation
# included: a missing module or a bad manifest fails here as it would in the
# real build. Nothing is compiled for the device's CPU.
.PHONY: keel-js-link
keel-js-link: $(TMP_DIR)/mc.xs.c

$(TMP_DIR)/mc.xs.c: $(MODULES) $(MANIFEST)
	@echo "# keel: xsl (link) $(notdir $(TMP_DIR))"
	xsl -b $(MODULES_DIR) -o $(TMP_DIR) $(PRELOADS) $(STRIPS) $(CREATION) $(MODULES)
