package writers

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// featureBook builds a workbook with everything the in-place writer must
// keep: a title merged above a styled header in row 2, widths, numbers,
// dates under the 1904 system, formulas, a merged range in the data, data
// validation, conditional formats, a comment, a table, a chart, a defined
// name, a second sheet with a cross-sheet formula and a hidden sheet.
func featureBook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	on := true
	must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on}))
	must(f.SetSheetName("Sheet1", "Data"))
	_, err := f.NewSheet("Other")
	must(err)
	_, err = f.NewSheet("Secret")
	must(err)
	must(f.SetSheetVisible("Secret", false))
	must(f.SetCellStr("Secret", "A1", "hidden"))

	must(f.SetCellStr("Data", "A1", "Quarterly report"))
	must(f.MergeCell("Data", "A1", "C1"))
	must(f.SetSheetRow("Data", "A2", &[]any{"name", "amount", "when", "note"}))
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	must(err)
	must(f.SetCellStyle("Data", "A2", "D2", bold))
	must(f.SetColWidth("Data", "D", "D", 33))
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	must(err)
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	for i := range 10 {
		r := i + 3
		must(f.SetSheetRow("Data", fmt.Sprintf("A%d", r), &[]any{fmt.Sprintf("item %d", i), 1234.5 * float64(i+1), 45000 + i, fmt.Sprintf("note %d", i)}))
		must(f.SetCellStyle("Data", fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r), money))
		must(f.SetCellStyle("Data", fmt.Sprintf("C%d", r), fmt.Sprintf("C%d", r), date))
	}
	must(f.SetCellFormula("Data", "D12", "SUM(B3:B11)"))
	must(f.MergeCell("Data", "C8", "D9"))
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "B3:B12"
	must(dv.SetRange(0, 100000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
	must(f.AddDataValidation("Data", dv))
	red, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Color: "9C0006"}})
	must(err)
	must(f.SetConditionalFormat("Data", "B3:B12", []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: ">", Format: &red, Value: "5000"}}))
	must(f.AddComment("Data", excelize.Comment{Cell: "A3", Author: "enrich", Text: "first item"}))
	must(f.AddTable("Other", &excelize.Table{Range: "A1:B3", Name: "Rates"}))
	must(f.SetSheetRow("Other", "A1", &[]any{"k", "v"}))
	must(f.SetSheetRow("Other", "A2", &[]any{"a", 1}))
	must(f.SetSheetRow("Other", "A3", &[]any{"b", 2}))
	must(f.SetCellFormula("Other", "C1", "Data!B3*2"))
	must(f.SetDefinedName(&excelize.DefinedName{Name: "Amounts", RefersTo: "Data!$B$3:$B$12"}))
	must(f.AddChart("Other", "E2", &excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{{Name: "Data!$B$2", Categories: "Data!$A$3:$A$12", Values: "Data!$B$3:$B$12"}},
	}))
	must(f.SaveAs(path))
}

// parts reads every entry of a zip, inflated, in order.
func parts(t *testing.T, path string) ([]string, map[string][]byte) {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var names []string
	data := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		data[f.Name] = b
	}
	return names, data
}

var (
	addedCell = regexp.MustCompile(`<c r="[EF][0-9]+"( s="[0-9]+")? t="inlineStr"><is><t>[^<]*</t></is></c>`)
	dimension = regexp.MustCompile(`<dimension ref="[A-Z0-9:]+"\s*/?>(</dimension>)?`)
	colsElem  = regexp.MustCompile(`<cols>.*?</cols>`)
)

func TestInPlaceFeatures(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "features.xlsx")
	out := filepath.Join(dir, "out.xlsx")
	featureBook(t, in)
	header := []string{"name", "amount", "when", "note"}
	w, err := Create(out, Options{
		Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in, Sheet: "Data", HeaderRow: 2},
		Header: header, Added: []string{"response", "response_error"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for r := 3; r <= 12; r++ {
		if r == 7 {
			continue // a row the run skipped keeps no new cells
		}
		recs = append(recs, row(r, nil, fmt.Sprintf("answer %d", r), ""))
	}
	writeAll(t, w, recs)

	inNames, inParts := parts(t, in)
	outNames, outParts := parts(t, out)
	if strings.Join(inNames, ",") != strings.Join(outNames, ",") {
		t.Fatalf("parts: got %q, want %q", outNames, inNames)
	}
	const sheet = "xl/worksheets/sheet1.xml"
	for _, name := range inNames {
		if name != sheet && !bytes.Equal(inParts[name], outParts[name]) {
			t.Errorf("%s changed", name)
		}
	}
	// The sheet is the input's, but for the added cells, the dimension
	// and the widths.
	got, want := string(outParts[sheet]), string(inParts[sheet])
	if n := len(addedCell.FindAllString(got, -1)); n != 2+len(recs) {
		t.Errorf("%d added cells, want %d:\n%s", n, 2+len(recs), got)
	}
	if !strings.Contains(got, `<dimension ref="A1:F12">`) && !strings.Contains(got, `<dimension ref="A1:F12"/>`) {
		t.Errorf("dimension not widened: %s", dimension.FindString(got))
	}
	if !strings.Contains(got, `<col customWidth="1" max="6" min="5" width="33"/>`) {
		t.Errorf("added columns not as wide as D: %s", colsElem.FindString(got))
	}
	norm := func(s string) string {
		s = addedCell.ReplaceAllString(s, "")
		s = dimension.ReplaceAllString(s, "<dimension/>")
		return colsElem.ReplaceAllString(s, "<cols/>")
	}
	if norm(got) != norm(want) {
		t.Errorf("the sheet changed beyond the added cells:\n got %s\nwant %s", norm(got), norm(want))
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"E2": "response", "F2": "response_error", "E3": "answer 3", "E7": "", "E12": "answer 12", "C3": "2027-03-16"} {
		opts := excelize.Options{}
		if cell == "C3" {
			continue // the date is checked by openpyxl below, 1904 system and all
		}
		if got, _ := f.GetCellValue("Data", cell, opts); got != want {
			t.Errorf("%s: got %q, want %q", cell, got, want)
		}
	}
	headerStyle, _ := f.GetCellStyle("Data", "D2")
	for _, cell := range []string{"E2", "F2"} {
		if s, _ := f.GetCellStyle("Data", cell); s != headerStyle {
			t.Errorf("%s: style %d, want the header's %d", cell, s, headerStyle)
		}
	}
	checkOpenpyxl(t, out)
	checkLibreOffice(t, out)
}

// python is Debian's interpreter, where python3-openpyxl installs.
const python = "/usr/bin/python3"

// checkOpenpyxl opens the output with openpyxl in both modes, as pandas
// users do, and checks what it sees.
func checkOpenpyxl(t *testing.T, path string) {
	t.Helper()
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Logf("openpyxl check skipped: %s with openpyxl not found (apt-get install python3-openpyxl): %v", python, err)
		return
	}
	script := `import sys, json, openpyxl
out = {}
for ro in (False, True):
    wb = openpyxl.load_workbook(sys.argv[1], read_only=ro)
    ws = wb["Data"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    m = {"max_column": ws.max_column, "max_row": ws.max_row, "E2": rows[1][4], "E3": rows[2][4], "F2": rows[1][5],
         "C3": str(rows[2][2]), "D12": rows[11][3], "sheets": wb.sheetnames, "width": max(len(r) for r in rows)}
    if not ro:
        m["hidden"] = wb["Secret"].sheet_state
        m["merges"] = sorted(str(r) for r in ws.merged_cells.ranges)
        m["validations"] = len(ws.data_validations.dataValidation)
        m["conditional"] = len(ws.conditional_formatting)
        m["comment"] = ws["A3"].comment.text if ws["A3"].comment else None
        m["tables"] = list(wb["Other"].tables.keys())
        m["names"] = list(wb.defined_names.keys()) if hasattr(wb.defined_names, "keys") else [d.name for d in wb.defined_names.definedName]
        m["epoch"] = str(wb.epoch)
    out["read_only" if ro else "normal"] = m
print(json.dumps(out))`
	b, err := exec.Command(python, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, b)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("openpyxl said %s: %v", b, err)
	}
	for mode, m := range got {
		for key, want := range map[string]any{"E2": "response", "F2": "response_error", "E3": "answer 3", "max_column": 6.0, "width": 6.0, "C3": "2027-03-16 00:00:00", "D12": "=SUM(B3:B11)"} {
			if mode == "read_only" && key == "D12" {
				continue
			}
			if m[key] != want {
				t.Errorf("openpyxl %s: %s is %v, want %v", mode, key, m[key], want)
			}
		}
	}
	n := got["normal"]
	for key, want := range map[string]string{
		"hidden": "hidden", "merges": "[A1:C1 C8:D9]", "validations": "1", "conditional": "1",
		"comment": "enrich:\nfirst item", "tables": "[Rates]", "names": "[Amounts]", "epoch": "1904-01-01 00:00:00",
	} {
		if g := fmt.Sprint(n[key]); g != want && !(key == "comment" && strings.Contains(g, "first item")) {
			t.Errorf("openpyxl normal: %s is %q, want %q", key, g, want)
		}
	}
}

// checkLibreOffice converts the output's first sheet to CSV with
// LibreOffice headless, which refuses a workbook it finds damaged.
func checkLibreOffice(t *testing.T, path string) {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Logf("LibreOffice check skipped: soffice not found (apt-get install libreoffice-calc-nogui)")
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "csv", "--outdir", dir, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice: %v\n%s", err, b)
	}
	csv, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".xlsx")+".csv"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no CSV: %v", err)
	}
	lines := strings.Split(string(csv), "\n")
	if len(lines) < 3 || lines[1] != "name,amount,when,note,response,response_error" || !strings.HasSuffix(lines[2], ",answer 3,") {
		t.Errorf("LibreOffice read:\n%s", csv)
	}
}
