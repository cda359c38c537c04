//go:build unix

package main

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
)

// The benchmark workbook: a header and rows × 10 columns on a sheet
// "Data" (shared strings, a date, money and percent formats, a boolean, a
// formula with its cached value, a bold styled header), and a second
// sheet "Notes", as a spreadsheet user's export looks. It is written
// here, streaming, rather than committed: at a million rows it is tens of
// MB.
var (
	benchCities = []string{"Lisbon", "Porto", "Madrid", "Paris", "Berlin", "Rome", "Oslo", "Vienna"}
	benchPlans  = []string{"Free", "Pro", "Team", "Enterprise"}
)

const benchHeader = `id,customer,city,signup,amount,rate,plan,note,active,total`

func writeWorkbook(path string, rows int) {
	f, err := os.Create(path)
	check(err)
	zw := zip.NewWriter(f)
	part := func(name string, body string) {
		w, err := zw.Create(name)
		check(err)
		_, err = io.WriteString(w, body)
		check(err)
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets><definedNames><definedName name="Amounts">Data!$E$2:$E$`+strconv.Itoa(rows+1)+`</definedName></definedNames></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	// Styles: 0 default, 1 bold header, 2 date, 3 money, 4 percent.
	part("xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`)

	// Shared strings: the header, the cities and plans, then a customer
	// name and a note for every row.
	header := []string{"id", "customer", "city", "signup", "amount", "rate", "plan", "note", "active", "total"}
	fixed := len(header) + len(benchCities) + len(benchPlans)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	check(err)
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:J%d"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols><col min="2" max="2" width="18" customWidth="1"/><col min="8" max="8" width="40" customWidth="1"/><col min="10" max="10" width="14" customWidth="1"/></cols><sheetData>`, rows+1)
	bw.WriteString(`<row r="1" spans="1:10">`)
	for i := range header {
		fmt.Fprintf(bw, `<c r="%s1" s="1" t="s"><v>%d</v></c>`, string(rune('A'+i)), i)
	}
	bw.WriteString(`</row>`)
	var b []byte
	for i := range rows {
		r := i + 2
		b = b[:0]
		b = fmt.Appendf(b, `<row r="%d" spans="1:10">`, r)
		b = fmt.Appendf(b, `<c r="A%d"><v>%d</v></c>`, r, i+1)
		b = fmt.Appendf(b, `<c r="B%d" t="s"><v>%d</v></c>`, r, fixed+2*i)
		b = fmt.Appendf(b, `<c r="C%d" t="s"><v>%d</v></c>`, r, len(header)+i%len(benchCities))
		b = fmt.Appendf(b, `<c r="D%d" s="2"><v>%d</v></c>`, r, 43831+i%3650)
		amount := float64((i*7919)%100000) / 100
		b = fmt.Appendf(b, `<c r="E%d" s="3"><v>%s</v></c>`, r, strconv.FormatFloat(amount, 'f', -1, 64))
		rate := float64(i%40) / 400
		b = fmt.Appendf(b, `<c r="F%d" s="4"><v>%s</v></c>`, r, strconv.FormatFloat(rate, 'f', -1, 64))
		b = fmt.Appendf(b, `<c r="G%d" t="s"><v>%d</v></c>`, r, len(header)+len(benchCities)+i%len(benchPlans))
		b = fmt.Appendf(b, `<c r="H%d" t="s"><v>%d</v></c>`, r, fixed+2*i+1)
		b = fmt.Appendf(b, `<c r="I%d" t="b"><v>%d</v></c>`, r, i%2)
		b = fmt.Appendf(b, `<c r="J%d" s="3"><f>E%d*(1+F%d)</f><v>%s</v></c>`, r, r, r, strconv.FormatFloat(amount*(1+rate), 'f', -1, 64))
		b = append(b, "</row>"...)
		_, err := bw.Write(b)
		check(err)
	}
	bw.WriteString(`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	check(bw.Flush())

	part("xl/worksheets/sheet2.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Generated for the enrich benchmark</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>rows</t></is></c><c r="B2"><v>`+strconv.Itoa(rows)+`</v></c></row></sheetData></worksheet>`)

	w, err = zw.Create("xl/sharedStrings.xml")
	check(err)
	bw = bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(header)+4*rows, fixed+2*rows)
	for _, s := range header {
		fmt.Fprintf(bw, "<si><t>%s</t></si>", s)
	}
	for _, s := range benchCities {
		fmt.Fprintf(bw, "<si><t>%s</t></si>", s)
	}
	for _, s := range benchPlans {
		fmt.Fprintf(bw, "<si><t>%s</t></si>", s)
	}
	for i := range rows {
		b = b[:0]
		b = fmt.Appendf(b, "<si><t>Customer %06d</t></si><si><t>Order %d: %d items, deliver to %s before noon</t></si>", i+1, i+1, 1+i%9, benchCities[(i*3)%len(benchCities)])
		_, err := bw.Write(b)
		check(err)
	}
	bw.WriteString("</sst>")
	check(bw.Flush())
	check(zw.Close())
	check(f.Close())
}

// writeBenchCSV writes the same table as CSV, for CSV → XLSX.
func writeBenchCSV(path string, rows int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, benchHeader)
	for i := range rows {
		amount := float64((i*7919)%100000) / 100
		fmt.Fprintf(w, "%d,Customer %06d,%s,2020-01-%02d,%.2f,%.2f%%,%s,\"Order %d: %d items, deliver to %s before noon\",%v,%.2f\n",
			i+1, i+1, benchCities[i%len(benchCities)], 1+i%28, amount, float64(i%40)/4, benchPlans[i%len(benchPlans)],
			i+1, 1+i%9, benchCities[(i*3)%len(benchCities)], i%2 == 1, amount)
	}
	check(w.Flush())
	check(f.Close())
}
