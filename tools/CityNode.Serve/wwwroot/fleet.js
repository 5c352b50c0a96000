// Click a column heading to sort the table by it (numbers by their data-sort value); again to reverse.
"use strict";
document.querySelectorAll("table.sortable").forEach(table => {
  table.querySelectorAll("th").forEach((th, col) => {
    let asc = true;
    th.addEventListener("click", () => {
      const rows = Array.from(table.tBodies[0].rows);
      const key = r => r.cells[col].dataset.sort !== "" && r.cells[col].dataset.sort !== undefined ? r.cells[col].dataset.sort : r.cells[col].textContent;
      rows.sort((a, b) => {
        const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        const c = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      asc = !asc;
      rows.forEach(r => table.tBodies[0].appendChild(r));
    });
  });
});
