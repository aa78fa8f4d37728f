// Staff statistics: the server puts the figures in #chart-data (JSON); Chart.js draws them.
(() => {
  'use strict';
  const palette = ['#1d3a8a', '#f2b705', '#0b7a75', '#c2410c', '#7c3aed', '#0e7490', '#be185d', '#4d7c0f'];
  const charts = [];
  const draw = () => {
    const source = document.getElementById('chart-data');
    if (!source || typeof Chart === 'undefined') return;
    charts.splice(0).forEach((c) => c.destroy());
    const data = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.maintainAspectRatio = false;
    const weekly = document.getElementById('chart-weekly');
    if (weekly) charts.push(new Chart(weekly, {
      type: 'bar',
      data: { labels: data.weekly.labels, datasets: data.weekly.datasets.map((d, i) => ({ ...d, backgroundColor: palette[i % palette.length] })) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    }));
    const rates = document.getElementById('chart-rates');
    if (rates) charts.push(new Chart(rates, {
      type: 'bar',
      data: { labels: data.rates.labels, datasets: [
        { label: data.rates.labelCancellation, data: data.rates.cancellation, backgroundColor: '#c2410c' },
        { label: data.rates.labelNoShow, data: data.rates.no_show, backgroundColor: '#94a3b8' },
      ] },
      options: { scales: { y: { beginAtZero: true, suggestedMax: 30, ticks: { callback: (v) => `${v} %` } } } },
    }));
    const use = document.getElementById('chart-utilisation');
    if (use) charts.push(new Chart(use, {
      type: 'bar',
      data: { labels: data.utilisation.labels, datasets: [
        { label: data.utilisation.labelBooked, data: data.utilisation.booked, backgroundColor: '#1d3a8a' },
        { label: data.utilisation.labelFree, data: data.utilisation.free, backgroundColor: '#c9d1e3' },
      ] },
      options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } },
    }));
  };
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('htmx:afterSettle', draw);
})();
