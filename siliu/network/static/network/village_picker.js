// The checkout's township → village picker: choosing a township shows only its villages, in place.
// Without this script the township's "更新村列表" button reloads the page with that township's villages.
(function () {
  "use strict";
  document.querySelectorAll("[data-village-picker]").forEach((form) => {
    const township = form.querySelector("select[name=township]");
    const village = form.querySelector("select[name=village]");
    if (!township || !village) return;
    form.querySelectorAll("[data-no-script]").forEach((element) => { element.hidden = true; });
    const filter = () => {
      village.querySelectorAll("optgroup").forEach((group) => {
        const shown = !township.value || group.dataset.township === township.value;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      const chosen = village.selectedOptions[0];
      if (chosen && chosen.parentElement.disabled) village.value = "";
    };
    township.addEventListener("change", filter);
    filter();
  });
})();
