# Sourced by the integration tests that check a JUnit report against tests/data/conformance/junit.
# junit_xsd_valid FILE: the report's suites are valid against both schemas. Neither schema declares all the
# totals on <testsuites> (windyroad no attribute at all, Jenkins xUnit no skipped), so those are checked
# apart (they must be the sums over the suites) and left out of the copy the schemas validate.

junit_xsd_valid() {
  local xsd=$IMGAUDIT_SOURCE_DIR/tests/data/conformance/junit stripped
  stripped=$(mktemp "${TMPDIR:-/tmp}/junit-suites.XXXXXX")
  python3 - "$1" "$stripped" <<'PY' &&
import sys, xml.etree.ElementTree as ET
tree = ET.parse(sys.argv[1])
root = tree.getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
for attr in ("tests", "failures", "errors", "skipped"):
    total = sum(int(s.get(attr, "0")) for s in suites)
    assert root.get(attr) == str(total), (attr, root.get(attr), total)
assert float(root.get("time")) == sum(float(s.get("time")) for s in suites)
assert set(root.attrib) == {"tests", "failures", "errors", "skipped", "time"}, root.attrib
root.attrib.clear()
tree.write(sys.argv[2], encoding="UTF-8", xml_declaration=True)
PY
    xmllint --noout --schema "$xsd/jenkins-xunit-junit-10.xsd" "$stripped" 2>/dev/null &&
    xmllint --noout --schema "$xsd/windyroad-JUnit.xsd" "$stripped" 2>/dev/null
  local rc=$?
  rm -f "$stripped"
  return $rc
}
