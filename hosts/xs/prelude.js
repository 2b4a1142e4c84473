// Prelude for scripts run on the keel-xs host: a printf-style console over the
// host's print(), and the few globals mocha's browser build looks for.
// Plain script (not a module); runs before mocha and the test bundle.
(function (global) {
  function show(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.stack ? String(v.name) + ': ' + v.message + '\n' + v.stack : String(v);
    if (typeof v === 'object' && v !== null) {
      try {
        return JSON.stringify(v);
      } catch (e) {
        return String(v);
      }
    }
    return String(v);
  }
  function format(args) {
    if (args.length === 0) return '';
    var first = args[0];
    var rest = 1;
    var out;
    if (typeof first === 'string') {
      out = first.replace(/%[sdifjoOc%]/g, function (m) {
        if (m === '%%') return '%';
        if (rest >= args.length) return m;
        var a = args[rest++];
        switch (m) {
          case '%s': return typeof a === 'string' ? a : show(a);
          case '%d':
          case '%i': return String(parseInt(a, 10));
          case '%f': return String(Number(a));
          case '%c': return '';
          default: return show(a);
        }
      });
    } else {
      out = show(first);
    }
    for (; rest < args.length; rest++) out += ' ' + show(args[rest]);
    return out;
  }
  function log() {
    print(format(Array.prototype.slice.call(arguments)));
  }
  global.console = { log: log, info: log, warn: log, error: log, debug: log, trace: log };
  // mocha.run() reads its grep options from location.search.
  if (typeof global.location === 'undefined') global.location = { search: '', href: 'keel-xs:' };
})(globalThis);
