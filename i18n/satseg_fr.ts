<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>satseg</name>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="161" />
        <source>Create the virtual environment</source>
        <translation>Créer l'environnement virtuel</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="164" />
        <source>Upgrade pip</source>
        <translation>Mettre à jour pip</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="167" />
        <source>Install PyTorch (CUDA build)</source>
        <translation>Installer PyTorch (version CUDA)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="170" />
        <source>Install PyTorch (CPU build)</source>
        <translation>Installer PyTorch (version CPU)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="178" />
        <source>Install the build tools</source>
        <translation>Installer les outils de construction</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="183" />
        <source>Copy the engine sources</source>
        <translation>Copier les sources du moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="186" />
        <source>Install the satseg engine</source>
        <translation>Installer le moteur satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="189" />
        <source>Install the satseg engine (without dependencies)</source>
        <translation>Installer le moteur satseg (sans dépendances)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="32" />
        <source>missing</source>
        <translation>absent</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="39" />
        <source>none — training and prediction run on the CPU (slower)</source>
        <translation>aucun — l'entraînement et la prédiction tournent sur le CPU (plus lent)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="41" />
        <source>CUDA devices</source>
        <translation>Périphériques CUDA</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="45" />
        <source>{name}: {free} GB free of {total} GB (compute {cap}{bf16})</source>
        <translation>{name} : {free} Go libres sur {total} Go (compute {cap}{bf16})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="51" />
        <source>GPU {index}</source>
        <translation>GPU {index}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="69" />
        <source>{version} ({build} build)</source>
        <translation>{version} (version {build})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="72" />
        <source>not importable: {error}</source>
        <translation>impossible à importer : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="83" />
        <source>Engine</source>
        <translation>Moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="84" />
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="85" />
        <source>Platform</source>
        <translation>Plateforme</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="96" />
        <source>Free disk</source>
        <translation>Espace disque libre</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="96" />
        <source>{free} GB of {total} GB in {path}</source>
        <translation>{free} Go sur {total} Go dans {path}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/log_dock.py" line="53" />
        <source>satseg log</source>
        <translation>Journal satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/log_dock.py" line="61" />
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/log_dock.py" line="99" />
        <source>engine stderr (last lines):</source>
        <translation>sortie d'erreur du moteur (dernières lignes) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/log_dock.py" line="129" />
        <source>{verb} started (engine {version}, device {device})</source>
        <translation>{verb} démarré (moteur {version}, périphérique {device})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/log_dock.py" line="138" />
        <source>finished successfully</source>
        <translation>terminé avec succès</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="43" />
        <source>satseg Settings</source>
        <translation>Paramètres de satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="47" />
        <source>Path to the engine's Python interpreter</source>
        <translation>Chemin de l'interpréteur Python du moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="268" />
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="51" />
        <source>Check</source>
        <translation>Vérifier</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="52" />
        <source>Run the engine's doctor: versions, GPUs, free disk</source>
        <translation>Lancer le diagnostic du moteur : versions, GPU, espace disque</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="63" />
        <source>&lt;p&gt;The engine runs in its own Python environment (with PyTorch), separate from QGIS. Choose its interpreter and press &lt;b&gt;Check&lt;/b&gt;, or let satseg create one with &lt;b&gt;Set up engine environment…&lt;/b&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Le moteur tourne dans son propre environnement Python (avec PyTorch), séparé de QGIS. Choisissez son interpréteur et cliquez sur &lt;b&gt;Vérifier&lt;/b&gt;, ou laissez satseg en créer un avec &lt;b&gt;Installer l'environnement du moteur…&lt;/b&gt;.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="79" />
        <source>Set up engine environment…</source>
        <translation>Installer l'environnement du moteur…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="80" />
        <source>Engine Python interpreter:</source>
        <translation>Interpréteur Python du moteur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="91" />
        <source>Engine Python interpreter</source>
        <translation>Interpréteur Python du moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="102" />
        <source>Checking the engine environment…</source>
        <translation>Vérification de l'environnement du moteur…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="115" />
        <source>Checking the engine environment… ({done}/{total})</source>
        <translation>Vérification de l'environnement du moteur… ({done}/{total})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="57" />
        <source>Set up the satseg engine environment</source>
        <translation>Installer l'environnement du moteur satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="62" />
        <source>a Python 3.10 or newer</source>
        <translation>un Python 3.10 ou plus récent</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="63" />
        <source>NVIDIA GPU: install the CUDA build of PyTorch (about 3 GB; CPU build: about 300 MB)</source>
        <translation>GPU NVIDIA : installer la version CUDA de PyTorch (environ 3 Go ; version CPU : environ 300 Mo)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="67" />
        <source>Download dependencies (uncheck to install only the engine, offline)</source>
        <translation>Télécharger les dépendances (décocher pour n'installer que le moteur, hors ligne)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="71" />
        <source>Environment folder:</source>
        <translation>Dossier de l'environnement :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="73" />
        <source>Base Python:</source>
        <translation>Python de base :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="77" />
        <source>Engine sources:</source>
        <translation>Sources du moteur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="79" />
        <source>Ready.</source>
        <translation>Prêt.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="82" />
        <source>step %v of %m</source>
        <translation>étape %v sur %m</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="88" />
        <source>Install</source>
        <translation>Installer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="90" />
        <source>Run Check</source>
        <translation>Vérifier</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="93" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="96" />
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="112" />
        <source>Environment folder</source>
        <translation>Dossier de l'environnement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="118" />
        <source>Base Python</source>
        <translation>Python de base</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="135" />
        <source>no Python 3.10 or newer was found: install one (python.org) and choose it as the base Python</source>
        <translation>aucun Python 3.10 ou plus récent n'a été trouvé : installez-en un (python.org) et choisissez-le comme Python de base</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="138" />
        <source>the engine sources are missing from the plugin ({path}): reinstall the plugin</source>
        <translation>les sources du moteur manquent dans l'extension ({path}) : réinstallez l'extension</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="142" />
        <source>Cannot set up the environment: {problem}</source>
        <translation>Impossible d'installer l'environnement : {problem}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="162" />
        <source>Step {i} of {n}: {what}…</source>
        <translation>Étape {i} sur {n} : {what}…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="187" />
        <source>Could not start {program}: {reason}</source>
        <translation>Impossible de lancer {program} : {reason}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="197" />
        <source>Step {i} ({what}) failed with exit code {code}; its output is above.</source>
        <translation>L'étape {i} ({what}) a échoué avec le code de sortie {code} ; sa sortie est affichée ci-dessus.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="215" />
        <source>Cancelled. The environment folder may be incomplete: run the setup again.</source>
        <translation>Annulé. Le dossier de l'environnement est peut-être incomplet : relancez l'installation.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="217" />
        <source>Cancelled by the user.</source>
        <translation>Annulé par l'utilisateur.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/setup_dialog.py" line="231" />
        <source>The engine environment is ready; satseg now uses {python}.</source>
        <translation>L'environnement du moteur est prêt ; satseg utilise désormais {python}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="37" />
        <source>Grid…</source>
        <translation>Grille…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="37" />
        <source>The grid tool is not available in this version yet.</source>
        <translation>L'outil de grille n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="39" />
        <source>Extract patches…</source>
        <translation>Extraire les imagettes…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="39" />
        <source>Patch extraction is not available in this version yet.</source>
        <translation>L'extraction d'imagettes n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="42" />
        <source>Train…</source>
        <translation>Entraîner…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="42" />
        <source>Training is not available in this version yet.</source>
        <translation>L'entraînement n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="44" />
        <source>Predict…</source>
        <translation>Prédire…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="44" />
        <source>Prediction is not available in this version yet.</source>
        <translation>La prédiction n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="65" />
        <source>Satellite Segmentation</source>
        <translation>Segmentation satellite</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="161" />
        <source>satseg</source>
        <translation>satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="77" />
        <source>Settings…</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="81" />
        <source>Show log</source>
        <translation>Afficher le journal</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="161" />
        <source>Could not open {tool}: {error}</source>
        <translation>Impossible d'ouvrir {tool} : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="63" />
        <source>The engine environment is ready.</source>
        <translation>L'environnement du moteur est prêt.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="65" />
        <source>The engine environment is incomplete.</source>
        <translation>L'environnement du moteur est incomplet.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="108" />
        <source>Check failed</source>
        <translation>La vérification a échoué</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="112" />
        <source>Setting:</source>
        <translation>Paramètre :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="115" />
        <source>How to fix:</source>
        <translation>Comment corriger :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="77" />
        <source>not used: {reason}</source>
        <translation>non utilisé : {reason}</translation>
    </message>
</context>
</TS>
