// Petit serveur compatible OpenAI devant node-llama-cpp, pour les tests du chemin LLM.
//
// Usage : node serveur.mjs --modele FICHIER.gguf [--port 0] [--contexte 2048] [--fils 1]
// Écrit « PRET http://127.0.0.1:PORT/v1 » sur la sortie standard quand il écoute.
//
// - POST /v1/chat/completions : messages, max_tokens (ou max_completion_tokens),
//   response_format json_schema (grammaire GBNF tirée du schéma) ; finish_reason
//   « length » quand max_tokens est atteint ; usage compté par le tokeniseur du modèle.
// - GET /v1/models : le modèle servi, avec son contexte (`max_model_len` comme vLLM,
//   `meta.n_ctx_train` comme llama.cpp).
// Un seul emplacement, comme un serveur local mono-slot : les requêtes attendent leur tour.
// Un client qui abandonne (délai dépassé) arrête la génération en cours : elle ne
// retarde pas la suivante. Un fil de calcul par défaut : sur une machine partagée, deux
// fils se gênent au point d'être cent fois plus lents.
import http from "node:http";
import path from "node:path";
import { getLlama, LlamaChat } from "node-llama-cpp";

function options(argv) {
  const lues = { port: "0", contexte: "2048", fils: "1" };
  for (let i = 0; i < argv.length; i += 2) lues[argv[i].replace(/^--/, "")] = argv[i + 1];
  if (!lues.modele) throw new Error("--modele FICHIER.gguf manquant");
  return lues;
}

// Mots-clés de JSON Schema que la grammaire de node-llama-cpp ne connaît pas : retirés
// (le client Python revalide la réponse ; la grammaire ne fait que la guider).
const NON_GERES = new Set(["pattern", "description", "title", "$schema", "default", "required",
  "additionalProperties"]);

function pourGrammaire(noeud) {
  if (Array.isArray(noeud)) return noeud.map(pourGrammaire);
  if (noeud === null || typeof noeud !== "object") return noeud;
  const resultat = {};
  for (const [cle, valeur] of Object.entries(noeud)) {
    if (NON_GERES.has(cle)) continue;
    if (cle === "properties") {
      resultat[cle] = Object.fromEntries(
        Object.entries(valeur).map(([nom, sous]) => [nom, pourGrammaire(sous)]));
    } else if (cle === "type" && Array.isArray(valeur)) {
      // ["string", "null"] → oneOf : forme acceptée par la grammaire, avec le format gardé.
      const { type: _t, ...reste } = noeud;
      return { oneOf: valeur.map((t) => (t === "null" ? { type: "null" } : pourGrammaire({ ...reste, type: t }))) };
    } else {
      resultat[cle] = pourGrammaire(valeur);
    }
  }
  return resultat;
}

function historique(messages) {
  return messages.map((m) => {
    const texte = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
    if (m.role === "system") return { type: "system", text: texte };
    if (m.role === "assistant") return { type: "model", response: [texte] };
    return { type: "user", text: texte };
  });
}

function lireCorps(req) {
  return new Promise((resoudre, rejeter) => {
    const morceaux = [];
    req.on("data", (m) => morceaux.push(m));
    req.on("end", () => resoudre(Buffer.concat(morceaux).toString("utf8")));
    req.on("error", rejeter);
  });
}

function envoyer(res, statut, corps) {
  if (res.writableEnded || res.destroyed) return;
  const donnees = Buffer.from(JSON.stringify(corps), "utf8");
  res.writeHead(statut, { "Content-Type": "application/json", "Content-Length": donnees.length });
  res.end(donnees);
}

async function main() {
  const opts = options(process.argv.slice(2));
  const nom = path.basename(opts.modele, ".gguf");
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: Number(opts.fils), logLevel: "error" });
  const modele = await llama.loadModel({ modelPath: opts.modele });
  const contexte = await modele.createContext({
    contextSize: Number(opts.contexte), threads: Number(opts.fils), sequences: 1,
  });
  const sequence = contexte.getSequence();
  const grammaires = new Map();
  let file = Promise.resolve();

  async function grammaire(schema) {
    const cle = JSON.stringify(schema);
    if (!grammaires.has(cle)) grammaires.set(cle, await llama.createGrammarForJsonSchema(pourGrammaire(schema)));
    return grammaires.get(cle);
  }

  async function generer(corps, signal) {
    const schema = corps.response_format?.json_schema?.schema;
    const maxTokens = corps.max_completion_tokens ?? corps.max_tokens ?? undefined;
    await sequence.clearHistory(); // comptes exacts : tout le prompt est évalué à chaque fois
    const avant = sequence.tokenMeter.getState();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const { response, metadata } = await chat.generateResponse(historique(corps.messages ?? []), {
        grammar: schema ? await grammaire(schema) : undefined,
        maxTokens, signal, temperature: corps.temperature ?? 0,
      });
      const apres = sequence.tokenMeter.getState();
      const entree = apres.usedInputTokens - avant.usedInputTokens;
      const sortie = apres.usedOutputTokens - avant.usedOutputTokens;
      return {
        id: `chatcmpl-${Date.now()}`, object: "chat.completion", created: Math.floor(Date.now() / 1000),
        model: nom,
        choices: [{ index: 0, message: { role: "assistant", content: response },
          finish_reason: metadata.stopReason === "maxTokens" ? "length" : "stop" }],
        usage: { prompt_tokens: entree, completion_tokens: sortie, total_tokens: entree + sortie },
      };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }

  async function completions(req, res) {
    const corps = JSON.parse(await lireCorps(req));
    const abandon = new AbortController();
    res.on("close", () => { if (!res.writableEnded) abandon.abort(new Error("client parti")); });
    const tour = file.then(async () => {
      if (abandon.signal.aborted) return; // abandonné en attendant son tour : rien à générer
      try {
        envoyer(res, 200, await generer(corps, abandon.signal));
      } catch (erreur) {
        if (!abandon.signal.aborted) envoyer(res, 500, { error: { message: String(erreur), type: "serveur" } });
      }
    });
    file = tour.catch(() => {});
    await tour;
  }

  const serveur = http.createServer((req, res) => {
    const chemin = (req.url ?? "").replace(/\/+$/, "");
    if (req.method === "GET" && chemin === "/v1/models") {
      envoyer(res, 200, { object: "list", data: [{
        id: nom, object: "model", owned_by: "dsp-tests", max_model_len: contexte.contextSize,
        meta: { n_ctx_train: modele.trainContextSize, n_ctx: contexte.contextSize },
      }] });
    } else if (req.method === "POST" && chemin === "/v1/chat/completions") {
      completions(req, res).catch((e) => envoyer(res, 400, { error: { message: String(e), type: "requete" } }));
    } else {
      envoyer(res, 404, { error: { message: "inconnu", type: "introuvable" } });
    }
  });
  serveur.listen(Number(opts.port), "127.0.0.1", () => {
    process.stdout.write(`PRET http://127.0.0.1:${serveur.address().port}/v1\n`);
  });
  const arreter = () => { serveur.close(); process.exit(0); };
  process.on("SIGTERM", arreter);
  process.on("SIGINT", arreter);
  process.stdin.on("end", arreter); // le parent (pytest) disparu : on ne lui survit pas
  process.stdin.resume();
}

main().catch((erreur) => {
  process.stderr.write(`${erreur?.stack ?? erreur}\n`);
  process.exit(1);
});
