<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>satseg</name>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="162" />
        <source>Create the virtual environment</source>
        <translation>Créer l'environnement virtuel</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="165" />
        <source>Upgrade pip</source>
        <translation>Mettre à jour pip</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="168" />
        <source>Install PyTorch (CUDA build)</source>
        <translation>Installer PyTorch (version CUDA)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="206" />
        <source>Install CuPy for band statistics on the GPU (optional)</source>
        <translation>Installer CuPy pour les statistiques des bandes sur le GPU (facultatif)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="171" />
        <source>Install PyTorch (CPU build)</source>
        <translation>Installer PyTorch (version CPU)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="179" />
        <source>Install the build tools</source>
        <translation>Installer les outils de construction</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="184" />
        <source>Copy the engine sources</source>
        <translation>Copier les sources du moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="187" />
        <source>Install the satseg engine</source>
        <translation>Installer le moteur satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/engine_setup.py" line="190" />
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
        <location filename="../satseg_plugin/gui/doctor_report.py" line="70" />
        <source>{version} ({build} build)</source>
        <translation>{version} (version {build})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="76" />
        <source>not importable: {error}</source>
        <translation>impossible à importer : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="87" />
        <source>Engine</source>
        <translation>Moteur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="88" />
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="89" />
        <source>Platform</source>
        <translation>Plateforme</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="102" />
        <source>Free disk</source>
        <translation>Espace disque libre</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="102" />
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
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="49" />
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
        <location filename="../satseg_plugin/gui/settings_dialog.py" line="68" />
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
        <location filename="../satseg_plugin/gui/run_panel.py" line="78" />
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/run_panel.py" line="81" />
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
        <location filename="../satseg_plugin/plugin.py" line="40" />
        <source>Grid…</source>
        <translation>Grille…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="41" />
        <source>The grid tool is not available in this version yet.</source>
        <translation>L'outil de grille n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="42" />
        <source>Extract patches…</source>
        <translation>Extraire les imagettes…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="43" />
        <source>Patch extraction is not available in this version yet.</source>
        <translation>L'extraction d'imagettes n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="45" />
        <source>Train…</source>
        <translation>Entraîner…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="46" />
        <source>Training is not available in this version yet.</source>
        <translation>L'entraînement n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="50" />
        <source>Predict…</source>
        <translation>Prédire…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="51" />
        <source>Prediction is not available in this version yet.</source>
        <translation>La prédiction n'est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="87" />
        <source>Satellite Segmentation</source>
        <translation>Segmentation satellite</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="90" />
        <source>satseg</source>
        <translation>satseg</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="98" />
        <source>Settings…</source>
        <translation>Paramètres…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="102" />
        <source>Show log</source>
        <translation>Afficher le journal</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="190" />
        <source>Could not open {tool}: {error}</source>
        <translation>Impossible d'ouvrir {tool} : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="64" />
        <source>The engine environment is ready.</source>
        <translation>L'environnement du moteur est prêt.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="66" />
        <source>The engine environment is incomplete.</source>
        <translation>L'environnement du moteur est incomplet.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="114" />
        <source>Check failed</source>
        <translation>La vérification a échoué</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="118" />
        <source>Setting:</source>
        <translation>Paramètre :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="121" />
        <source>How to fix:</source>
        <translation>Comment corriger :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="81" />
        <source>not used: {reason}</source>
        <translation>non utilisé : {reason}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/doctor_report.py" line="95" />
        <source>Band statistics</source>
        <translation>Statistiques des bandes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="80" />
        <source>No layer is selected.</source>
        <translation>Aucune couche n'est sélectionnée.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="84" />
        <source>Layer '{name}' is not read from a file (provider: {provider}). Save it as a GeoTIFF or GeoPackage (right-click ▸ Export ▸ Save As…) and use the saved layer.</source>
        <translation>La couche « {name} » n'est pas lue depuis un fichier (fournisseur : {provider}). Enregistrez-la en GeoTIFF ou en GeoPackage (clic droit ▸ Exporter ▸ Sauvegarder sous…) et utilisez la couche enregistrée.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="91" />
        <source>Layer '{name}' is not a local file ({source}). Save it as a GeoTIFF or GeoPackage and use the saved layer.</source>
        <translation>La couche « {name} » n'est pas un fichier local ({source}). Enregistrez-la en GeoTIFF ou en GeoPackage et utilisez la couche enregistrée.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="96" />
        <source>Layer '{name}' is one raster inside a container file; export it as a GeoTIFF (right-click ▸ Export ▸ Save As…).</source>
        <translation>La couche « {name} » est un raster à l'intérieur d'un fichier conteneur ; exportez-la en GeoTIFF (clic droit ▸ Exporter ▸ Sauvegarder sous…).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="108" />
        <source>Layer '{name}' has a filter; the engine would read all its features. Save the filtered features to a new file and use that layer.</source>
        <translation>La couche « {name} » a un filtre ; le moteur lirait toutes ses entités. Enregistrez les entités filtrées dans un nouveau fichier et utilisez cette couche.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="113" />
        <source>Layer '{name}' has unsaved edits. Save them first (Toggle Editing ▸ Save).</source>
        <translation>La couche « {name} » a des modifications non enregistrées. Enregistrez-les d'abord (Basculer en mode édition ▸ Enregistrer).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="120" />
        <source>Layer '{name}' is not the first layer of its file, and the engine reads the first one. Save it to a file of its own.</source>
        <translation>La couche « {name} » n'est pas la première couche de son fichier, et le moteur lit la première. Enregistrez-la dans un fichier à part.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="325" />
        <source>train</source>
        <translation>entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="326" />
        <source>validation</source>
        <translation>validation</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="327" />
        <source>test</source>
        <translation>test</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="328" />
        <source>unassigned</source>
        <translation>non attribuée</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="375" />
        <source>QGIS could not open the grid {path}.</source>
        <translation>QGIS n'a pas pu ouvrir la grille {path}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="387" />
        <source>Several images are extracted together when they lie in one folder; these are in {count} folders. Move them into one folder, or extract them one at a time.</source>
        <translation>Plusieurs images sont extraites ensemble lorsqu'elles se trouvent dans un même dossier ; celles-ci sont dans {count} dossiers. Déplacez-les dans un seul dossier, ou extrayez-les une par une.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="402" />
        <source>The engine takes several images as a name pattern in one folder, and {pattern} also matches {extra}. Tick those images too, or extract the images one at a time.</source>
        <translation>Le moteur reçoit plusieurs images sous la forme d'un motif de nom dans un dossier, et {pattern} désigne aussi {extra}. Cochez aussi ces images, ou extrayez les images une par une.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="52" />
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="53" />
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="54" />
        <source>Colour</source>
        <translation>Couleur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="67" />
        <source>Add class</source>
        <translation>Ajouter une classe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="36" />
        <source>Remove selected</source>
        <translation>Supprimer la sélection</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="97" />
        <source>Class colour</source>
        <translation>Couleur de la classe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="148" />
        <source>Give a name to the class(es) with value {values} in the class table.</source>
        <translation>Donnez un nom à la ou aux classes de valeur {values} dans la table des classes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="154" />
        <source>Class values must be distinct; {values} appear(s) more than once in the class table.</source>
        <translation>Les valeurs des classes doivent être distinctes ; {values} apparaît (apparaissent) plusieurs fois dans la table des classes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="99" />
        <source>satseg — Extract patches</source>
        <translation>satseg — Extraire des imagettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="106" />
        <source>All bands</source>
        <translation>Toutes les bandes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="107" />
        <source>Tick the bands to extract; none ticked = all bands</source>
        <translation>Cochez les bandes à extraire ; aucune cochée = toutes les bandes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="115" />
        <source>Class values (one band)</source>
        <translation>Valeurs de classe (une bande)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="116" />
        <source>RGB colour mask</source>
        <translation>Masque de couleurs RVB</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="123" />
        <source>Build a grid automatically</source>
        <translation>Construire une grille automatiquement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="129" />
        <source>Replace an existing dataset</source>
        <translation>Remplacer un jeu de données existant</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="133" />
        <source>Inputs</source>
        <translation>Entrées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="135" />
        <source>Images:</source>
        <translation>Images :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="136" />
        <source>Bands:</source>
        <translation>Bandes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="137" />
        <source>Labels:</source>
        <translation>Étiquettes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="138" />
        <source>Label type:</source>
        <translation>Type d'étiquettes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="139" />
        <source>Class field:</source>
        <translation>Champ de classe :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="140" />
        <source>Grid:</source>
        <translation>Grille :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="144" />
        <source>Automatic grid</source>
        <translation>Grille automatique</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="146" />
        <source>Output</source>
        <translation>Sortie</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="148" />
        <source>Dataset folder:</source>
        <translation>Dossier du jeu de données :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="150" />
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="156" />
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="306" />
        <source>Tick at least one image layer in the Images list (load one into the project first).</source>
        <translation>Cochez au moins une couche image dans la liste Images (chargez-en une dans le projet d'abord).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="310" />
        <source>Choose the label layer (a class raster, an RGB colour mask or polygons).</source>
        <translation>Choisissez la couche d'étiquettes (un raster de classes, un masque de couleurs RVB ou des polygones).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="329" />
        <source>Several images need polygon labels (one vector layer for all images); with a label raster, extract one image at a time.</source>
        <translation>Plusieurs images demandent des étiquettes en polygones (une couche vecteur pour toutes les images) ; avec un raster d'étiquettes, extrayez une image à la fois.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="339" />
        <source>Choose the class field of the label layer.</source>
        <translation>Choisissez le champ de classe de la couche d'étiquettes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="344" />
        <source>A colour mask needs its classes: add one row per class with its colour to the class table.</source>
        <translation>Un masque de couleurs a besoin de ses classes : ajoutez à la table des classes une ligne par classe avec sa couleur.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="357" />
        <source>Choose the dataset folder (Output).</source>
        <translation>Choisissez le dossier du jeu de données (Sortie).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="374" />
        <source>Extracting patches…</source>
        <translation>Extraction des imagettes…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="375" />
        <source>Extract patches</source>
        <translation>Extraire des imagettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="381" />
        <source>Dataset written to {path}.</source>
        <translation>Jeu de données écrit dans {path}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="397" />
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="400" />
        <source>The dataset is complete, but its preview could not be drawn: {error}</source>
        <translation>Le jeu de données est complet, mais son aperçu n'a pas pu être dessiné : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="49" />
        <source>satseg — Grid</source>
        <translation>satseg — Grille</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="39" />
        <source>Whole raster</source>
        <translation>Raster entier</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="41" />
        <source>Rectangle drawn on the map</source>
        <translation>Rectangle dessiné sur la carte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="56" />
        <source>Polygons of a layer (AOI)</source>
        <translation>Polygones d'une couche (zone d'intérêt)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="84" />
        <source>Draw on map</source>
        <translation>Dessiner sur la carte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="86" />
        <source>(none drawn)</source>
        <translation>(aucun dessiné)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="58" />
        <source>Raster and area</source>
        <translation>Raster et zone</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="60" />
        <source>Raster:</source>
        <translation>Raster :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="65" />
        <source>Cells and split</source>
        <translation>Cellules et répartition</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="80" />
        <source>Labels (optional: drop unlabelled cells, split with every class)</source>
        <translation>Étiquettes (facultatif : écarter les cellules sans étiquettes, répartir chaque classe)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="83" />
        <source>Label layer:</source>
        <translation>Couche d'étiquettes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="85" />
        <source>Min. labelled pixels per cell:</source>
        <translation>Pixels étiquetés min. par cellule :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="91" />
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="93" />
        <source>Replace an existing file</source>
        <translation>Remplacer un fichier existant</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="96" />
        <source>Grid GeoPackage:</source>
        <translation>GeoPackage de la grille :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="192" />
        <source>{width} × {height} {units}</source>
        <translation>{width} × {height} {units}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="141" />
        <source>Choose the raster the grid is laid on (load one into the project first).</source>
        <translation>Choisissez le raster sur lequel poser la grille (chargez-en un dans le projet d'abord).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="144" />
        <source>Draw the rectangle on the map first (Draw on map), or choose another area.</source>
        <translation>Dessinez d'abord le rectangle sur la carte (Dessiner sur la carte), ou choisissez une autre zone.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="151" />
        <source>Choose the AOI polygon layer, or another area.</source>
        <translation>Choisissez la couche de polygones de la zone d'intérêt, ou une autre zone.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="146" />
        <source>The split 'From an AOI attribute' needs the area 'Polygons of a layer (AOI)'.</source>
        <translation>La répartition « D'après un attribut de la zone d'intérêt » demande la zone « Polygones d'une couche (zone d'intérêt) ».</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="162" />
        <source>Choose where to save the grid (Grid GeoPackage).</source>
        <translation>Choisissez où enregistrer la grille (GeoPackage de la grille).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="172" />
        <source>Laying the grid…</source>
        <translation>Pose de la grille…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="174" />
        <source>Grid</source>
        <translation>Grille</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_dialog.py" line="185" />
        <source>{cells} cells: {train} train, {validation} validation, {test} test, {unassigned} unassigned. Added to the map as '{name}': edit cells or their split there before extracting.</source>
        <translation>{cells} cellules : {train} entraînement, {validation} validation, {test} test, {unassigned} non attribuées. Ajoutée à la carte sous le nom « {name} » : modifiez-y les cellules ou leur répartition avant l'extraction.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="26" />
        <source>Random cells</source>
        <translation>Cellules au hasard</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="27" />
        <source>Spatial blocks (no touching train and test)</source>
        <translation>Blocs spatiaux (entraînement et test sans contact)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="28" />
        <source>From an AOI attribute</source>
        <translation>D'après un attribut de la zone d'intérêt</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="29" />
        <source>None (assign splits by hand later)</source>
        <translation>Aucune (répartir à la main plus tard)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="53" />
        <source>Cells with a larger share of nodata pixels are dropped</source>
        <translation>Les cellules avec une plus grande part de pixels sans données sont écartées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="79" />
        <source> cells</source>
        <translation> cellules</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="87" />
        <source>AOI field holding train / validation / test</source>
        <translation>Champ de la zone d'intérêt contenant train / validation / test</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="100" />
        <source>Patch size:</source>
        <translation>Taille des imagettes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="101" />
        <source>Overlap:</source>
        <translation>Recouvrement :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="102" />
        <source>Max. nodata per cell:</source>
        <translation>Sans données max. par cellule :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="103" />
        <source>Split:</source>
        <translation>Répartition :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="104" />
        <source>Ratios (%):</source>
        <translation>Proportions (%) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="105" />
        <source>Seed:</source>
        <translation>Graine :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="106" />
        <source>Block size:</source>
        <translation>Taille des blocs :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="107" />
        <source>Split field:</source>
        <translation>Champ de répartition :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="149" />
        <source>The overlap ({overlap} px) must be smaller than the patch size ({patch} px).</source>
        <translation>Le recouvrement ({overlap} px) doit être plus petit que la taille des imagettes ({patch} px).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="159" />
        <source>The split ratios add up to 0; give the training split a share.</source>
        <translation>Les proportions de la répartition font 0 au total ; donnez une part au jeu d'entraînement.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="168" />
        <source>Choose the AOI field that holds train / validation / test.</source>
        <translation>Choisissez le champ de la zone d'intérêt qui contient train / validation / test.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/run_panel.py" line="76" />
        <source>Run</source>
        <translation>Lancer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/run_panel.py" line="149" />
        <source>starting the engine…</source>
        <translation>démarrage du moteur…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/run_panel.py" line="159" />
        <source>cancelling…</source>
        <translation>annulation…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="432" />
        <source>{n} patches</source>
        <translation>{n} imagettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="453" />
        <source>Labelled pixels per class (training split):</source>
        <translation>Pixels étiquetés par classe (jeu d'entraînement) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="168" />
        <source>{value} and above (confident)</source>
        <translation>{value} et plus (sûr)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="263" />
        <source>The prediction outputs lack the class or the confidence raster.</source>
        <translation>Il manque aux sorties de la prédiction le raster des classes ou celui de la confiance.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="222" />
        <source>{name} classes</source>
        <translation>{name} classes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="223" />
        <source>{name} confidence</source>
        <translation>{name} confiance</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="224" />
        <source>{name} probabilities</source>
        <translation>{name} probabilités</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="164" />
        <source>below {value}</source>
        <translation>sous {value}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/styling.py" line="259" />
        <source>QGIS could not open the prediction output {path}.</source>
        <translation>QGIS n'a pas pu ouvrir la sortie de prédiction {path}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="50" />
        <source>Highlight unsure pixels</source>
        <translation>Mettre en évidence les pixels incertains</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="61" />
        <source>Hide confident pixels</source>
        <translation>Masquer les pixels sûrs</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="63" />
        <source>Confident pixels become transparent, so the class layer beneath shows through; unticked, they are covered by a light veil.</source>
        <translation>Les pixels sûrs deviennent transparents et laissent voir la couche des classes en dessous ; décoché, ils sont couverts d'un voile léger.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="74" />
        <source>Confidence layer:</source>
        <translation>Couche de confiance :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="76" />
        <source>Unsure below:</source>
        <translation>Incertain sous :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="156" />
        <source>Choose a confidence layer (one band, 0–1): a prediction adds one.</source>
        <translation>Choisissez une couche de confiance (une bande, 0–1) : une prédiction en ajoute une.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="159" />
        <source>This layer has several bands; choose a confidence layer.</source>
        <translation>Cette couche a plusieurs bandes ; choisissez une couche de confiance.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/confidence_preview.py" line="163" />
        <source>{share} of the pixels have a confidence below {threshold}.</source>
        <translation>{share} des pixels ont une confiance inférieure à {threshold}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="122" />
        <source>Area</source>
        <translation>Zone</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="40" />
        <source>Current map view</source>
        <translation>Vue actuelle de la carte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/area_box.py" line="42" />
        <source>Bounding box of polygons (AOI), nodata outside them</source>
        <translation>Emprise des polygones (zone d'intérêt), nodata en dehors</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="69" />
        <source>satseg — current map view</source>
        <translation>satseg — vue actuelle de la carte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="90" />
        <source>satseg — Predict</source>
        <translation>satseg — Prédire</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="106" />
        <source>Raster</source>
        <translation>Raster</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="112" />
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="66" />
        <source>Window overlap as a fraction of the patch: more overlap, smoother and slower.</source>
        <translation>Recouvrement des fenêtres en fraction du patch : plus de recouvrement, plus lisse et plus lent.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="130" />
        <source>Test-time augmentation (4 flips, 4× slower)</source>
        <translation>Augmentation au moment du test (4 retournements, 4× plus lent)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="131" />
        <source>Options</source>
        <translation>Options</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="80" />
        <source>Batch size:</source>
        <translation>Taille de lot :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="134" />
        <source>Device:</source>
        <translation>Processeur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="140" />
        <source>Also write one probability band per class</source>
        <translation>Écrire aussi une bande de probabilité par classe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="142" />
        <source>Outputs</source>
        <translation>Sorties</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="144" />
        <source>Folder:</source>
        <translation>Dossier :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="145" />
        <source>Name:</source>
        <translation>Nom :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="155" />
        <source>Confidence preview</source>
        <translation>Aperçu de la confiance</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="159" />
        <source>Predict the current map view</source>
        <translation>Prédire la vue actuelle de la carte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="160" />
        <source>Quick look: the visible extent, large windows, no test-time augmentation, outputs in a temporary folder; the layers are replaced on each run.</source>
        <translation>Aperçu rapide : l'emprise visible, grandes fenêtres, sans augmentation au test, sorties dans un dossier temporaire ; les couches sont remplacées à chaque exécution.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="166" />
        <source>Predict</source>
        <translation>Prédire</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="340" />
        <source>Predicting…</source>
        <translation>Prédiction en cours…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="95" />
        <source>Map layer:</source>
        <translation>Couche de la carte :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="96" />
        <source>File:</source>
        <translation>Fichier :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="270" />
        <source>Choose the raster to classify (a map layer or a file GDAL reads).</source>
        <translation>Choisissez le raster à classer (une couche de la carte ou un fichier lisible par GDAL).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="284" />
        <source>Choose the model (a .pt file written by satseg training).</source>
        <translation>Choisissez le modèle (un fichier .pt écrit par l'entraînement satseg).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="334" />
        <source>Prediction: {name}</source>
        <translation>Prédiction : {name}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="372" />
        <source>Added to the map as the group '{group}' (files in {folder}).</source>
        <translation>Ajouté à la carte dans le groupe « {group} » (fichiers dans {folder}).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="287" />
        <source>The model file {path} does not exist.</source>
        <translation>Le fichier de modèle {path} n'existe pas.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="117" />
        <source>Reading the model…</source>
        <translation>Lecture du modèle…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="267" />
        <source>Training metrics — {lines}</source>
        <translation>Métriques d'entraînement — {lines}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="55" />
        <source>Class</source>
        <translation>Classe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="81" />
        <source>IoU (validation)</source>
        <translation>IoU (validation)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="135" />
        <source>This model cannot be used: {error}</source>
        <translation>Ce modèle ne peut pas être utilisé : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="162" />
        <source>Choose a model trained with satseg (best_iou.pt, best_loss.pt or last.pt).</source>
        <translation>Choisissez un modèle entraîné avec satseg (best_iou.pt, best_loss.pt ou last.pt).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="209" />
        <source>Bands: the model expects {count} ({names}).</source>
        <translation>Bandes : le modèle en attend {count} ({names}).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="172" />
        <source>{architecture}, {task}, patch {patch} px, normalisation {method}; epoch {epoch} ({role})</source>
        <translation>{architecture}, {task}, imagette {patch} px, normalisation {method} ; époque {epoch} ({role})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="210" />
        <source>unnamed</source>
        <translation>sans nom</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="214" />
        <source>The raster has {found}: prediction will be refused. Choose a raster with the model's bands.</source>
        <translation>Le raster en a {found} : la prédiction sera refusée. Choisissez un raster avec les bandes du modèle.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="219" />
        <source>The raster has {found} ✓</source>
        <translation>Le raster en a {found} ✓</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_summary.py" line="36" />
        <source>No prediction yet.</source>
        <translation>Pas encore de prédiction.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_summary.py" line="39" />
        <source>Share</source>
        <translation>Part</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_summary.py" line="71" />
        <source>{width} × {height} pixels predicted in {seconds} s; mean confidence {mean}.</source>
        <translation>{width} × {height} pixels prédits en {seconds} s ; confiance moyenne {mean}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="55" />
        <source>Quick test (small U-Net, few epochs)</source>
        <translation>Test rapide (petit U-Net, peu d'époques)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="56" />
        <source>Balanced classes</source>
        <translation>Classes équilibrées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="57" />
        <source>Imbalanced classes (focal + Dice, median weights, class-balanced sampling)</source>
        <translation>Classes déséquilibrées (focale + Dice, poids médians, échantillonnage équilibré)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="79" />
        <source>satseg — Train</source>
        <translation>satseg — Entraîner</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="85" />
        <source>Choose a folder written by Extract patches.</source>
        <translation>Choisissez un dossier écrit par Extraire les imagettes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="89" />
        <source>(choose a preset)</source>
        <translation>(choisir un préréglage)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="109" />
        <source>Resume the interrupted run (last.pt)</source>
        <translation>Reprendre l'entraînement interrompu (last.pt)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="111" />
        <source>Save job…</source>
        <translation>Enregistrer la tâche…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="113" />
        <source>Load job…</source>
        <translation>Charger une tâche…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="121" />
        <source>Dataset</source>
        <translation>Jeu de données</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="125" />
        <source>Preset:</source>
        <translation>Préréglage :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="129" />
        <source>Output folder:</source>
        <translation>Dossier de sortie :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="135" />
        <source>Job file:</source>
        <translation>Fichier de tâche :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="156" />
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="158" />
        <source>Results</source>
        <translation>Résultats</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="170" />
        <source>Start</source>
        <translation>Démarrer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="194" />
        <source>Could not list the models: {error}</source>
        <translation>Impossible de lister les modèles : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="223" />
        <source>The dataset folder {path} does not exist: choose the folder written by Extract patches.</source>
        <translation>Le dossier du jeu de données {path} n'existe pas : choisissez le dossier écrit par Extraire les imagettes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="226" />
        <source>{path} holds no dataset.json: choose the folder written by Extract patches (it holds dataset.json and Patch/).</source>
        <translation>{path} ne contient pas de dataset.json : choisissez le dossier écrit par Extraire les imagettes (il contient dataset.json et Patch/).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="229" />
        <source>{path} is not a readable patch dataset ({error}): extract it again.</source>
        <translation>{path} n'est pas un jeu d'imagettes lisible ({error}) : extrayez-le à nouveau.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="240" />
        <source>Choose the dataset folder (a folder written by Extract patches, holding dataset.json).</source>
        <translation>Choisissez le dossier du jeu de données (un dossier écrit par Extraire les imagettes, contenant dataset.json).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="273" />
        <source>Choose the output folder (checkpoints, metrics and plots go there).</source>
        <translation>Choisissez le dossier de sortie (les points de contrôle, métriques et graphiques y sont écrits).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="301" />
        <source>No model architecture: the list of models has not come from the engine. Check the engine in satseg Settings, then reopen this dialog.</source>
        <translation>Aucune architecture de modèle : la liste des modèles n'est pas venue du moteur. Vérifiez le moteur dans les paramètres de satseg, puis rouvrez cette fenêtre.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="308" />
        <source>{model} needs patches of at least {need} px; this dataset's are {have} px. Choose another architecture or extract larger patches.</source>
        <translation>{model} demande des imagettes d'au moins {need} px ; celles de ce jeu font {have} px. Choisissez une autre architecture ou extrayez des imagettes plus grandes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="322" />
        <source>Warm-up epochs</source>
        <translation>Époques de montée en charge</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="324" />
        <source>Freeze encoder epochs</source>
        <translation>Époques d'encodeur gelé</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="327" />
        <source>{option} ({value}) must be fewer than the epochs ({epochs}).</source>
        <translation>{option} ({value}) doit être inférieur au nombre d'époques ({epochs}).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="331" />
        <source>A cross-validation cannot be resumed: untick Resume or set the folds to 0.</source>
        <translation>Une validation croisée ne peut pas être reprise : décochez Reprendre ou mettez les plis à 0.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="357" />
        <source>Job saved to {path}. Run it without QGIS with: satseg train --config {name}</source>
        <translation>Tâche enregistrée dans {path}. Lancez-la sans QGIS avec : satseg train --config {name}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="365" />
        <source>Job loaded from {path}.</source>
        <translation>Tâche chargée depuis {path}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="367" />
        <source>Kept as they are (no field for them): {keys}.</source>
        <translation>Conservées telles quelles (sans champ) : {keys}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="387" />
        <source>Save training job</source>
        <translation>Enregistrer la tâche d'entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="388" />
        <source>Job files (*.json)</source>
        <translation>Fichiers de tâche (*.json)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="396" />
        <source>Load training job</source>
        <translation>Charger une tâche d'entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="424" />
        <source>Training… QGIS stays usable meanwhile.</source>
        <translation>Entraînement… QGIS reste utilisable pendant ce temps.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="425" />
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="430" />
        <source>Replace the earlier run?</source>
        <translation>Remplacer l'entraînement précédent ?</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="431" />
        <source>{folder} already holds a training run. Starting anew replaces its checkpoints; tick Resume to continue it instead.</source>
        <translation>{folder} contient déjà un entraînement. Recommencer remplace ses points de contrôle ; cochez Reprendre pour le poursuivre.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="461" />
        <source>Training finished: {epochs} epochs.</source>
        <translation>Entraînement terminé : {epochs} époques.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="464" />
        <source>mIoU of the best model: {value:.3f}.</source>
        <translation>mIoU du meilleur modèle : {value:.3f}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="472" />
        <source>Training cancelled. last.pt keeps where it stopped: tick Resume and Start to continue.</source>
        <translation>Entraînement annulé. last.pt garde l'endroit où il s'est arrêté : cochez Reprendre puis Démarrer pour continuer.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="483" />
        <source>{path} will be used for prediction.</source>
        <translation>{path} sera utilisé pour la prédiction.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="514" />
        <source>&lt;b&gt;{n} patches&lt;/b&gt; of {size}×{size} px: {splits}</source>
        <translation>&lt;b&gt;{n} imagettes&lt;/b&gt; de {size}×{size} px : {splits}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="516" />
        <source>{n} classes: {classes}</source>
        <translation>{n} classes : {classes}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="518" />
        <source>{n} bands: {bands}</source>
        <translation>{n} bandes : {bands}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="52" />
        <source>Curves appear after the first epoch.</source>
        <translation>Les courbes apparaissent après la première époque.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="53" />
        <source>Loss per epoch</source>
        <translation>Perte par époque</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="54" />
        <source>mIoU per epoch</source>
        <translation>mIoU par époque</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="55" />
        <source>IoU per class</source>
        <translation>IoU par classe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="76" />
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="108" />
        <source>training</source>
        <translation>entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="120" />
        <source>IoU per class — test split, best model (epoch {epoch})</source>
        <translation>IoU par classe — jeu de test, meilleur modèle (époque {epoch})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="122" />
        <source>IoU per class — validation, epoch {epoch}</source>
        <translation>IoU par classe — validation, époque {epoch}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="124" />
        <source>IoU per class — training, epoch {epoch}</source>
        <translation>IoU par classe — entraînement, époque {epoch}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="134" />
        <source>fold {n}</source>
        <translation>pli {n}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="135" />
        <source>epoch {done}/{total}</source>
        <translation>époque {done}/{total}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="139" />
        <source>validation mIoU {value:.3f}</source>
        <translation>mIoU de validation {value:.3f}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="143" />
        <source>about {time} left</source>
        <translation>encore environ {time}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="180" />
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="182" />
        <source>Open folder</source>
        <translation>Ouvrir le dossier</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="184" />
        <source>Use best model for prediction</source>
        <translation>Utiliser le meilleur modèle pour la prédiction</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="230" />
        <source>checkpoint</source>
        <translation>point de contrôle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="231" />
        <source>plot</source>
        <translation>graphique</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="231" />
        <source>table</source>
        <translation>tableau</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="232" />
        <source>report</source>
        <translation>rapport</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="56" />
        <source>Architecture:</source>
        <translation>Architecture :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="57" />
        <source>Encoder:</source>
        <translation>Encodeur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="60" />
        <source>U-Net depth:</source>
        <translation>Profondeur du U-Net :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="61" />
        <source>U-Net base width:</source>
        <translation>Largeur de base du U-Net :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="63" />
        <source>Dropout:</source>
        <translation>Dropout :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="65" />
        <source>Loss</source>
        <translation>Perte</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="66" />
        <source>Loss:</source>
        <translation>Perte :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="68" />
        <source>Class weights:</source>
        <translation>Poids des classes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="72" />
        <source>Draw patches with rare classes more often</source>
        <translation>Tirer plus souvent les imagettes contenant des classes rares</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="74" />
        <source>Focal gamma:</source>
        <translation>Gamma focal :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="75" />
        <source>Focal alpha (empty = off):</source>
        <translation>Alpha focal (vide = désactivé) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="77" />
        <source>Tversky alpha (FP):</source>
        <translation>Alpha de Tversky (FP) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="79" />
        <source>Tversky beta (FN):</source>
        <translation>Bêta de Tversky (FN) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="81" />
        <source>CE weight:</source>
        <translation>Poids de l'entropie croisée :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="84" />
        <source>Dice weight:</source>
        <translation>Poids Dice :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="85" />
        <source>Focal weight:</source>
        <translation>Poids focal :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="87" />
        <source>Lovász weight:</source>
        <translation>Poids Lovász :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="89" />
        <source>Tversky weight:</source>
        <translation>Poids Tversky :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="91" />
        <source>Label smoothing:</source>
        <translation>Lissage des étiquettes :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="94" />
        <source>Optimiser and schedule</source>
        <translation>Optimiseur et planification</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="95" />
        <source>Optimiser:</source>
        <translation>Optimiseur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="97" />
        <source>Learning rate:</source>
        <translation>Taux d'apprentissage :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="99" />
        <source>Encoder lr (empty = lr):</source>
        <translation>Taux de l'encodeur (vide = même) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="100" />
        <source>Schedule:</source>
        <translation>Planification :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="102" />
        <source>Warm-up epochs:</source>
        <translation>Époques de montée en charge :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="105" />
        <source>Frozen encoder epochs:</source>
        <translation>Époques d'encodeur gelé :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="108" />
        <source>Training</source>
        <translation>Entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="109" />
        <source>Epochs:</source>
        <translation>Époques :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="112" />
        <source>Precision:</source>
        <translation>Précision :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="118" />
        <source>Early stopping patience (0 = off):</source>
        <translation>Patience de l'arrêt anticipé (0 = désactivé) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="120" />
        <source>Early stopping watches:</source>
        <translation>L'arrêt anticipé surveille :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="123" />
        <source>Cross-validation folds (0 = off):</source>
        <translation>Plis de validation croisée (0 = désactivé) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="126" />
        <source>Advanced</source>
        <translation>Avancé</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="127" />
        <source>Normalisation:</source>
        <translation>Normalisation :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="130" />
        <source>Augment training patches</source>
        <translation>Augmenter les imagettes d'entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="132" />
        <source>Flips</source>
        <translation>Retournements</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="133" />
        <source>90° rotations</source>
        <translation>Rotations de 90°</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="135" />
        <source>Zoom (max):</source>
        <translation>Zoom (max.) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="137" />
        <source>Shift (max):</source>
        <translation>Décalage (max.) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="138" />
        <source>Brightness (max):</source>
        <translation>Luminosité (max.) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="140" />
        <source>Contrast (max):</source>
        <translation>Contraste (max.) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="143" />
        <source>Noise std:</source>
        <translation>Écart type du bruit :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="145" />
        <source>Augmentation probability:</source>
        <translation>Probabilité d'augmentation :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="147" />
        <source>Data loader workers:</source>
        <translation>Processus de chargement :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="150" />
        <source>Batches per epoch (0 = all):</source>
        <translation>Lots par époque (0 = tous) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="155" />
        <source>Weight decay:</source>
        <translation>Décroissance des poids :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="158" />
        <source>SGD momentum:</source>
        <translation>Moment SGD :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="160" />
        <source>Gradient clipping (0 = off):</source>
        <translation>Écrêtage du gradient (0 = désactivé) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="162" />
        <source>Final lr factor:</source>
        <translation>Facteur final du taux :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="165" />
        <source>Warm-up start factor:</source>
        <translation>Facteur de départ de la montée :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="166" />
        <source>Step: epochs per decay:</source>
        <translation>Paliers : époques par décroissance :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="168" />
        <source>Step: decay factor:</source>
        <translation>Paliers : facteur de décroissance :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="170" />
        <source>Plateau: patience:</source>
        <translation>Plateau : patience :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="173" />
        <source>Plateau: decay factor:</source>
        <translation>Plateau : facteur de décroissance :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="175" />
        <source>Early stopping min. change:</source>
        <translation>Arrêt anticipé : variation min. :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="178" />
        <source>Folds group by:</source>
        <translation>Grouper les plis par :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="181" />
        <source>Pretrained encoder weights (file):</source>
        <translation>Poids pré-entraînés de l'encodeur (fichier) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="182" />
        <source>Task:</source>
        <translation>Tâche :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="185" />
        <source>Binary threshold:</source>
        <translation>Seuil binaire :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="186" />
        <source>Random seed:</source>
        <translation>Graine aléatoire :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="187" />
        <source>Deterministic</source>
        <translation>Déterministe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="188" />
        <source>Channels-last memory format</source>
        <translation>Mémoire channels-last</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="190" />
        <source>Pin memory (GPU)</source>
        <translation>Mémoire épinglée (GPU)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="153" />
        <source>Patches held in memory up to (MB, 0 = off):</source>
        <translation>Patchs gardés en mémoire jusqu’à (Mo, 0 = non) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="40" />
        <source>A source has no name: name every row of the Sources table (e.g. s1, s2, dem).</source>
        <translation>Une source n'a pas de nom : nommez chaque ligne du tableau des sources (par ex. s1, s2, dem).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="43" />
        <source>'{name}' cannot name a source (the labels use it): choose another name, e.g. s1.</source>
        <translation>« {name} » ne peut pas nommer une source (les étiquettes l'utilisent) : choisissez un autre nom, par ex. s1.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="47" />
        <source>'{name}' is not a usable source name: use a letter, then letters, digits, '_' or '-' (at most 32), e.g. s1, s2, dem.</source>
        <translation>« {name} » n'est pas un nom de source utilisable : une lettre, puis des lettres, chiffres, « _ » ou « - » (32 au plus), par ex. s1, s2, dem.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="52" />
        <source>'images' is the primary image's row: name the other sources differently.</source>
        <translation>« images » est la ligne de l'image principale : nommez autrement les autres sources.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="54" />
        <source>Two sources are named '{name}': give each source its own name.</source>
        <translation>Deux sources s'appellent « {name} » : donnez à chaque source son propre nom.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="76" />
        <source>Source '{name}': {layers} layers but {dates} dates. Give one date per layer (YYYY-MM-DD, in the order of the layers), or clear the Dates cell to read them from the file names.</source>
        <translation>Source « {name} » : {layers} couches mais {dates} dates. Donnez une date par couche (AAAA-MM-JJ, dans l'ordre des couches), ou videz la case Dates pour les lire dans les noms de fichiers.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="85" />
        <source>Source '{name}': '{text}' is not a date: write dates as 2024-05-31.</source>
        <translation>Source « {name} » : « {text} » n'est pas une date : écrivez les dates ainsi : 2024-05-31.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="109" />
        <source>Source '{name}' has no layer: tick its raster layers, or remove the row.</source>
        <translation>La source « {name} » n'a pas de couche : cochez ses couches raster, ou supprimez la ligne.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="128" />
        <source>Source '{name}': no date for {layers} (none in the file name). Type the dates in the Dates cell: one per layer, YYYY-MM-DD, in the order of the layers.</source>
        <translation>Source « {name} » : pas de date pour {layers} (aucune dans le nom du fichier). Saisissez les dates dans la case Dates : une par couche, AAAA-MM-JJ, dans l'ordre des couches.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="137" />
        <source>Source '{name}': {first} and {second} have the same date {date}. Give one layer per date (mosaic same-day scenes first) or correct the dates.</source>
        <translation>Source « {name} » : {first} et {second} ont la même date {date}. Donnez une couche par date (mosaïquez d'abord les scènes du même jour) ou corrigez les dates.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="162" />
        <source>Source '{name}': tick its layers, one per date (at most {slots}).</source>
        <translation>Source « {name} » : cochez ses couches, une par date ({slots} au plus).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="165" />
        <source>Source '{name}': choose its layer (the model was trained with it).</source>
        <translation>Source « {name} » : choisissez sa couche (le modèle a été entraîné avec elle).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="172" />
        <source>Source '{name}': layer '{layer}' has {found} bands; the model expects {bands} ({names}) per date. Choose layers with the source's bands.</source>
        <translation>Source « {name} » : la couche « {layer} » a {found} bandes ; le modèle en attend {bands} ({names}) par date. Choisissez des couches avec les bandes de la source.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="176" />
        <source>Source '{name}': layer '{layer}' has {found} bands; the model expects {bands} ({names}). Choose a layer with the source's bands.</source>
        <translation>Source « {name} » : la couche « {layer} » a {found} bandes ; le modèle en attend {bands} ({names}). Choisissez une couche avec les bandes de la source.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="182" />
        <source>Source '{name}': {count} layers ticked; the model takes at most {slots} dates. Untick some.</source>
        <translation>Source « {name} » : {count} couches cochées ; le modèle prend {slots} dates au plus. Décochez-en.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="211" />
        <source>Choose the raster that sets the prediction grid (this model does not use the images source).</source>
        <translation>Choisissez le raster qui fixe la grille de la prédiction (ce modèle n'utilise pas la source images).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="142" />
        <source>Sources</source>
        <translation>Sources</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="324" />
        <source>Other sources go with one primary image: tick one image, or tick 'The ticked images are the dates of one place' when they are a time series.</source>
        <translation>Les autres sources vont avec une seule image principale : cochez une image, ou cochez « Les images cochées sont les dates d'un même lieu » si elles forment une série temporelle.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="438" />
        <source>{name} ({n} dates)</source>
        <translation>{name} ({n} dates)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/extract_dialog.py" line="440" />
        <source>Sources: {sources}</source>
        <translation>Sources : {sources}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="28" />
        <source>{name} (1 band × {dates} dates)</source>
        <translation>{name} (1 bande × {dates} dates)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="29" />
        <source>{name} ({bands} bands × {dates} dates)</source>
        <translation>{name} ({bands} bandes × {dates} dates)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="31" />
        <source>{name} (1 band)</source>
        <translation>{name} (1 bande)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/source_jobs.py" line="32" />
        <source>{name} ({bands} bands)</source>
        <translation>{name} ({bands} bandes)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="62" />
        <source>default</source>
        <translation>défaut</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="63" />
        <source>Learning rate of this source's stream; empty: the encoder lr, else the lr</source>
        <translation>Taux d'apprentissage du flux de cette source ; vide : celui de l'encodeur, sinon le taux général</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="70" />
        <source>(the model's encoder)</source>
        <translation>(l'encodeur du modèle)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="87" />
        <source>Fusion of sources and dates</source>
        <translation>Fusion des sources et des dates</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="98" />
        <source>early: sources stacked as channels of one model; mid: one encoder per source, fused at every scale; late: one model per source, their decisions weighted</source>
        <translation>early : sources empilées comme canaux d'un seul modèle ; mid : un encodeur par source, fusionnés à chaque échelle ; late : un modèle par source, leurs décisions pondérées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="102" />
        <source>How a time series is read: stack (dates as channels), utae (temporal attention), unet3d (3D convolutions)</source>
        <translation>Lecture d'une série temporelle : stack (dates comme canaux), utae (attention temporelle), unet3d (convolutions 3D)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="116" />
        <source>Fusion:</source>
        <translation>Fusion :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="117" />
        <source>Fusion method (mid):</source>
        <translation>Méthode de fusion (mid) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="118" />
        <source>Dates:</source>
        <translation>Dates :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="119" />
        <source>Fusion lr (empty = lr):</source>
        <translation>Taux de la fusion (vide = taux) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="156" />
        <source>Sources used</source>
        <translation>Sources utilisées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="157" />
        <source>Encoder</source>
        <translation>Encodeur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="158" />
        <source>Learning rate</source>
        <translation>Taux d'apprentissage</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="185" />
        <source>Tick at least one source the model uses (Fusion of sources and dates).</source>
        <translation>Cochez au moins une source utilisée par le modèle (Fusion des sources et des dates).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="252" />
        <source>Off until a dataset is chosen: fusion applies to datasets of several sources or dates.</source>
        <translation>Inactif tant qu'aucun jeu de données n'est choisi : la fusion s'applique aux jeux de données à plusieurs sources ou dates.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="255" />
        <source>Off: the dataset has one source ({name}, one date). Extract it with more sources or dates (Extract patches ▸ Sources) to fuse them.</source>
        <translation>Inactif : le jeu de données a une seule source ({name}, une date). Extrayez-le avec d'autres sources ou dates (Extraire des imagettes ▸ Sources) pour les fusionner.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/fusion_box.py" line="284" />
        <source>'{text}' is not a learning rate: write a number such as 1e-4, or leave the field empty.</source>
        <translation>« {text} » n'est pas un taux d'apprentissage : écrivez un nombre comme 1e-4, ou laissez le champ vide.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_dialog.py" line="116" />
        <source>Sources of the model</source>
        <translation>Sources du modèle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="199" />
        <source>Sources: {sources}; fusion {fusion}, dates {temporal}.</source>
        <translation>Sources : {sources} ; fusion {fusion}, dates {temporal}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_sources.py" line="39" />
        <source>One layer per date, at most {slots}; their dates are read from the file names</source>
        <translation>Une couche par date, {slots} au plus ; leurs dates sont lues dans les noms de fichiers</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_sources.py" line="127" />
        <source>This model does not use the images source: the Raster above sets the grid of the prediction.</source>
        <translation>Ce modèle n'utilise pas la source images : le raster ci-dessus fixe la grille de la prédiction.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/raster_layers_combo.py" line="25" />
        <source>Tick one or more layers</source>
        <translation>Cochez une ou plusieurs couches</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="42" />
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="42" />
        <source>nearest</source>
        <translation>plus proche voisin</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="43" />
        <source>bilinear</source>
        <translation>bilinéaire</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="43" />
        <source>cubic</source>
        <translation>cubique</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="44" />
        <source>average</source>
        <translation>moyenne</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="58" />
        <source>Layers</source>
        <translation>Couches</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="59" />
        <source>Dates</source>
        <translation>Dates</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="60" />
        <source>Resampling</source>
        <translation>Rééchantillonnage</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="68" />
        <source>The ticked images are the dates of one place (a time series), not tiles</source>
        <translation>Les images cochées sont les dates d'un même lieu (une série temporelle), pas des tuiles</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="73" />
        <source>Add source</source>
        <translation>Ajouter une source</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="74" />
        <source>Another sensor or date on the primary image's grid (e.g. Sentinel-1, a DEM)</source>
        <translation>Un autre capteur ou une autre date sur la grille de l'image principale (par ex. Sentinel-1, un MNT)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="94" />
        <source>The primary image: the grid snaps to it. Tick its layers in the Images list.</source>
        <translation>L'image principale : la grille s'aligne sur elle. Cochez ses couches dans la liste Images.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="107" />
        <source>(tick an image in the Images list)</source>
        <translation>(cochez une image dans la liste Images)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="177" />
        <source>one date</source>
        <translation>une date</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="178" />
        <source>One date per layer (YYYY-MM-DD), in the order of the layers; read from the file names, or typed. Leave empty to use the file names.</source>
        <translation>Une date par couche (AAAA-MM-JJ), dans l'ordre des couches ; lues dans les noms de fichiers, ou saisies. Laissez vide pour utiliser les noms de fichiers.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/sources_table.py" line="189" />
        <source>How the source is put on the primary grid; auto: nearest for class rasters, else bilinear</source>
        <translation>Comment la source est posée sur la grille principale ; auto : plus proche voisin pour les rasters de classes, sinon bilinéaire</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="315" />
        <source>Mid fusion</source>
        <translation>La fusion mid</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="316" />
        <source>A temporal network ({mode}) in early fusion</source>
        <translation>Un réseau temporel ({mode}) en fusion early</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="318" />
        <source>{what} decodes with a U-Net, not {model}: choose {fitting}, or late fusion.</source>
        <translation>{what} décode avec un U-Net, pas avec {model} : choisissez {fitting}, ou la fusion late.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="59" />
        <source>Pretrained weights:</source>
        <translation>Poids pré-entraînés :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="453" />
        <source>(none)</source>
        <translation>(aucun)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="457" />
        <source>{n} of {total} bands matched</source>
        <translation>{n} bandes sur {total} reconnues</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="458" />
        <source>cached</source>
        <translation>en cache</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="461" />
        <source>{name} (does not fit {encoder})</source>
        <translation>{name} (ne convient pas à {encoder})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="208" />
        <source>Quality: no problem found.</source>
        <translation>Qualité : aucun problème détecté.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="212" />
        <source>What usually helps: {lever}</source>
        <translation>Ce qui aide d'habitude : {lever}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_results.py" line="215" />
        <source>Quality report</source>
        <translation>Rapport de qualité</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="169" />
        <source>Value 0 covers {share:.1f} % of the pixels and stays unlabelled: the raster has no nodata value 0 and no class 0. Tick 'Class' if 0 is a class.</source>
        <translation>La valeur 0 couvre {share:.1f} % des pixels et reste non étiquetée : le raster n'a ni valeur nodata 0 ni classe 0. Cochez « Classe » si 0 est une classe.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="219" />
        <source>black</source>
        <translation>noir</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/layers.py" line="219" />
        <source>Black covers {share:.1f} % of the mask and stays unlabelled: no class has the colour #000000. Tick 'Class' if black is a class.</source>
        <translation>Le noir couvre {share:.1f} % du masque et reste non étiqueté : aucune classe n'a la couleur #000000. Cochez « Classe » si le noir est une classe.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="56" />
        <source>Untick to leave this value's pixels unlabelled (not learnt, not scored)</source>
        <translation>Décochez pour laisser les pixels de cette valeur non étiquetés (ni appris, ni évalués)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/class_table.py" line="118" />
        <source>unlabelled</source>
        <translation>non étiqueté</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/chosen_box.py" line="19" />
        <source>Chosen for this dataset</source>
        <translation>Choisi pour ce jeu de données</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="95" />
        <source>Choose model size, augmentation, sampling, loader workers and epochs for this dataset</source>
        <translation>Choisir la taille du modèle, l'augmentation, l'échantillonnage, les processus de chargement et les époques pour ce jeu de données</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="98" />
        <source>The engine chooses these options from the dataset's size, bands and class balance when the run starts, and says why. Untick to set them yourself.</source>
        <translation>Le moteur choisit ces options d'après la taille du jeu de données, ses bandes et l'équilibre de ses classes au début de l'entraînement, et dit pourquoi. Décochez pour les régler vous-même.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="242" />
        <source>Chosen for the dataset when the run starts (untick "Choose … for this dataset" to set it).</source>
        <translation>Choisi pour le jeu de données au début de l'entraînement (décochez « Choisir … pour ce jeu de données » pour le régler).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/chosen_box.py" line="51" />
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/chosen_box.py" line="51" />
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_polygons.py" line="22" />
        <source>Polygons (GeoPackage)</source>
        <translation>Polygones (GeoPackage)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_polygons.py" line="23" />
        <source>Also write the classes as polygons with class name, colour, area and mean confidence, and add them to the map styled by class.</source>
        <translation>Écrire aussi les classes en polygones avec nom de classe, couleur, surface et confiance moyenne, et les ajouter à la carte avec le style des classes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_polygons.py" line="29" />
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_polygons.py" line="30" />
        <source>Segments smaller than this many pixels take the class of their largest neighbour before polygonising (0: keep every segment).</source>
        <translation>Les segments de moins de pixels que ce nombre prennent la classe de leur plus grand voisin avant la polygonisation (0 : garder tous les segments).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_polygons.py" line="33" />
        <source>smallest segment:</source>
        <translation>plus petit segment :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/polygon_style.py" line="53" />
        <source>{name} polygons</source>
        <translation>{name} polygones</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/polygon_style.py" line="63" />
        <source>QGIS could not open the polygons {path}.</source>
        <translation>QGIS n'a pas pu ouvrir les polygones {path}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_model.py" line="69" />
        <source>satseg model (*.pt *.onnx)</source>
        <translation>modèle satseg (*.pt *.onnx)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="48" />
        <source>Export model…</source>
        <translation>Exporter le modèle…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="49" />
        <source>Write the model as ONNX (normalisation inside, metadata for the Deepness plugin), checked against PyTorch</source>
        <translation>Écrire le modèle au format ONNX (normalisation incluse, métadonnées pour l'extension Deepness), vérifié par rapport à PyTorch</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="69" />
        <source>Export model as ONNX</source>
        <translation>Exporter le modèle en ONNX</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="70" />
        <source>ONNX model (*.onnx)</source>
        <translation>modèle ONNX (*.onnx)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="83" />
        <source>Exporting…</source>
        <translation>Export en cours…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="91" />
        <source>Exported to {name} (ONNX Runtime matches PyTorch within {diff:.1e})</source>
        <translation>Exporté vers {name} (ONNX Runtime concorde avec PyTorch à {diff:.1e} près)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/export_action.py" line="101" />
        <source>Export failed: {error}</source>
        <translation>Échec de l'export : {error}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="81" />
        <source>Auto</source>
        <translation>Auto</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/grid_options.py" line="82" />
        <source>Side of a spatial block, in cells; all cells of a block share a split. Auto: 4, 2 or 1 cells, whichever splits the cells most evenly</source>
        <translation>Côté d'un bloc spatial, en cellules ; toutes les cellules d'un bloc ont la même répartition. Auto : 4, 2 ou 1 cellule, selon ce qui répartit les cellules le plus également</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="425" />
        <source>all GPUs of this machine ({count})</source>
        <translation>tous les GPU de cette machine ({count})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_form.py" line="427" />
        <source>One training process per GPU (DistributedDataParallel through torchrun); the batch size is per GPU.</source>
        <translation>Un processus d’entraînement par GPU (DistributedDataParallel via torchrun) ; la taille de lot s’entend par GPU.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="37" />
        <source>Auto (large windows, fastest)</source>
        <translation>Auto (grandes fenêtres, le plus rapide)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="38" />
        <source>Training patch, with overlap</source>
        <translation>Patch d'entraînement, avec recouvrement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="39" />
        <source>Fixed size</source>
        <translation>Taille fixe</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="42" />
        <source>Auto: windows several times the training patch for models that take any input size (each pixel is computed about once), the training patch for the others. Training patch: the patch size with an overlap, as during training (slower).</source>
        <translation>Auto : des fenêtres plusieurs fois plus grandes que le patch d'entraînement pour les modèles qui acceptent toute taille d'entrée (chaque pixel est calculé environ une fois), le patch d'entraînement pour les autres. Patch d'entraînement : la taille du patch avec un recouvrement, comme à l'entraînement (plus lent).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="52" />
        <source>Window side in pixels (a multiple of the model's stride, usually 32).</source>
        <translation>Côté de la fenêtre en pixels (un multiple du pas du modèle, en général 32).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="72" />
        <source>Windows per forward pass (Auto: as many as fit the memory budget).</source>
        <translation>Fenêtres par passe du modèle (Auto : autant que le budget mémoire en permet).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="76" />
        <source>Windows:</source>
        <translation>Fenêtres :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="77" />
        <source>Window size:</source>
        <translation>Taille des fenêtres :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="78" />
        <source>Margin:</source>
        <translation>Marge :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/base.py" line="122" />
        <source>{name}: the layer could not be opened.</source>
        <translation>{name} : la couche n'a pas pu être ouverte.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="36" />
        <source>Evaluate a prediction</source>
        <translation>Évaluer une prédiction</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="39" />
        <source>Compares a class raster written by 'Predict classes' with reference labels (a class raster, or polygons with a class field) on the prediction's pixel grid: confusion matrix, per-class IoU, F1, precision and recall, mIoU, overall accuracy and kappa. Writes &lt;i&gt;name&lt;/i&gt;_evaluation.json and &lt;i&gt;name&lt;/i&gt;_confusion.png into the report folder (&lt;i&gt;name&lt;/i&gt;: the prediction's file name). Runs `satseg evaluate`.</source>
        <translation>Compare un raster de classes écrit par « Prédire les classes » avec des étiquettes de référence (un raster de classes, ou des polygones avec un champ de classe) sur la grille de pixels de la prédiction : matrice de confusion, IoU, F1, précision et rappel par classe, mIoU, précision globale et kappa. Écrit &lt;i&gt;nom&lt;/i&gt;_evaluation.json et &lt;i&gt;nom&lt;/i&gt;_confusion.png dans le dossier du rapport (&lt;i&gt;nom&lt;/i&gt; : le nom du fichier de la prédiction). Exécute `satseg evaluate`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="48" />
        <source>Class raster (prediction)</source>
        <translation>Raster de classes (prédiction)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="50" />
        <source>Reference label raster</source>
        <translation>Raster d'étiquettes de référence</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="52" />
        <source>Reference polygons (instead of a label raster)</source>
        <translation>Polygones de référence (au lieu d'un raster d'étiquettes)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="55" />
        <source>Class field of the reference polygons</source>
        <translation>Champ de classe des polygones de référence</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="58" />
        <source>Label value that is not counted</source>
        <translation>Valeur d'étiquette non comptée</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="61" />
        <source>Report folder</source>
        <translation>Dossier du rapport</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="62" />
        <source>Evaluation report (JSON)</source>
        <translation>Rapport d'évaluation (JSON)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="63" />
        <source>mIoU</source>
        <translation>mIoU</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="64" />
        <source>Overall accuracy</source>
        <translation>Précision globale</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="65" />
        <source>Kappa</source>
        <translation>Kappa</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="65" />
        <source>Mean F1</source>
        <translation>F1 moyen</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="74" />
        <source>Give the reference: a label raster or label polygons (one of the two).</source>
        <translation>Donnez la référence : un raster d'étiquettes ou des polygones d'étiquettes (l'un des deux).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="82" />
        <source>Choose the class field of the reference polygons.</source>
        <translation>Choisissez le champ de classe des polygones de référence.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/evaluate_algorithm.py" line="93" />
        <source>mIoU {miou:.3f}, overall accuracy {accuracy:.3f}, kappa {kappa:.3f}</source>
        <translation>mIoU {miou:.3f}, précision globale {accuracy:.3f}, kappa {kappa:.3f}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="27" />
        <source>Export a model to ONNX</source>
        <translation>Exporter un modèle en ONNX</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="30" />
        <source>Writes a satseg checkpoint as an ONNX model with dynamic batch and window size, normalisation and softmax inside, and the metadata the Deepness plugin reads (classes, resolution, tile size and overlap) beside satseg's own header. ONNX Runtime and PyTorch are compared on check windows; a difference above the tolerance is an error and nothing is written. Runs `satseg export`.</source>
        <translation>Écrit un point de contrôle satseg sous forme de modèle ONNX avec taille de lot et taille de fenêtre dynamiques, normalisation et softmax incluses, et les métadonnées que lit l'extension Deepness (classes, résolution, taille et recouvrement des tuiles) à côté de l'en-tête propre à satseg. ONNX Runtime et PyTorch sont comparés sur des fenêtres de contrôle ; un écart supérieur à la tolérance est une erreur et rien n'est écrit. Exécute `satseg export`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="40" />
        <source>Model checkpoint (.pt written by satseg training)</source>
        <translation>Point de contrôle du modèle (.pt écrit par l'entraînement satseg)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="42" />
        <source>ONNX opset version</source>
        <translation>Version de l'opset ONNX</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="44" />
        <source>Largest probability difference allowed (ONNX Runtime vs PyTorch)</source>
        <translation>Plus grand écart de probabilité admis (ONNX Runtime par rapport à PyTorch)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="47" />
        <source>Ground resolution in cm/px for Deepness (default: the model's)</source>
        <translation>Résolution au sol en cm/px pour Deepness (par défaut : celle du modèle)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="50" />
        <source>Tile overlap in percent for Deepness</source>
        <translation>Recouvrement des tuiles en pourcentage pour Deepness</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="54" />
        <source>ONNX model</source>
        <translation>Modèle ONNX</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="54" />
        <source>ONNX models (*.onnx)</source>
        <translation>Modèles ONNX (*.onnx)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="55" />
        <source>Largest probability difference measured</source>
        <translation>Plus grand écart de probabilité mesuré</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="66" />
        <source>Give the ONNX model a .onnx file name.</source>
        <translation>Donnez au modèle ONNX un nom de fichier en .onnx.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="82" />
        <source>ONNX Runtime and PyTorch agree to {diff:.2g} (tolerance {tolerance:g})</source>
        <translation>ONNX Runtime et PyTorch concordent à {diff:.2g} près (tolérance {tolerance:g})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/export_algorithm.py" line="62" />
        <source>The model file {path} does not exist: choose a .pt file written by satseg training.</source>
        <translation>Le fichier de modèle {path} n'existe pas : choisissez un fichier .pt écrit par l'entraînement satseg.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="45" />
        <source>Cuts image and label patches into a dataset folder: Patch/{train,validation,test}/{images,labels} plus dataset.json (classes, bands, statistics from the training split). Labels are a class raster, an RGB colour mask or polygons with a class field. The cells come from a grid layer (satseg:grid) or, without one, from the grid options. Classes default to the label layer's (colour table, or the values of the class field); CLASSES overrides them as 'value:name:#colour, …' (a colour mask needs them). Runs `satseg extract`.</source>
        <translation>Découpe des imagettes d'image et d'étiquettes dans un dossier de jeu de données : Patch/{train,validation,test}/{images,labels} plus dataset.json (classes, bandes, statistiques du jeu d'entraînement). Les étiquettes sont un raster de classes, un masque de couleurs RVB ou des polygones avec un champ de classe. Les cellules viennent d'une couche de grille (satseg:grid) ou, à défaut, des options de grille. Les classes sont par défaut celles de la couche d'étiquettes (table de couleurs, ou valeurs du champ de classe) ; CLASSES les remplace sous la forme 'value:name:#colour, …' (un masque de couleurs en a besoin). Exécute `satseg extract`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="55" />
        <source>Image raster</source>
        <translation>Raster d'image</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="57" />
        <source>Label raster (class raster or RGB colour mask)</source>
        <translation>Raster d'étiquettes (raster de classes ou masque de couleurs RVB)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="59" />
        <source>Label raster kind</source>
        <translation>Type du raster d'étiquettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="62" />
        <source>Label polygons (instead of a label raster)</source>
        <translation>Polygones d'étiquettes (au lieu d'un raster d'étiquettes)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="65" />
        <source>Class field of the label polygons</source>
        <translation>Champ de classe des polygones d'étiquettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="68" />
        <source>Classes 'value:name:#colour, …' (default: the label layer's)</source>
        <translation>Classes 'value:name:#colour, …' (par défaut : celles de la couche d'étiquettes)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="71" />
        <source>Grid (default: one made with the grid options)</source>
        <translation>Grille (par défaut : une grille construite avec les options de grille)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="74" />
        <source>Bands (default: all)</source>
        <translation>Bandes (par défaut : toutes)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="78" />
        <source>Worker processes (0: auto)</source>
        <translation>Processus de travail (0 : auto)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="81" />
        <source>Replace a dataset already in the output folder</source>
        <translation>Remplacer un jeu de données déjà présent dans le dossier de sortie</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="83" />
        <source>Dataset folder</source>
        <translation>Dossier du jeu de données</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="84" />
        <source>dataset.json</source>
        <translation>dataset.json</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="85" />
        <source>Patches</source>
        <translation>Imagettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="97" />
        <source>Give the labels: a label raster or label polygons (one of the two).</source>
        <translation>Donnez les étiquettes : un raster d'étiquettes ou des polygones d'étiquettes (l'un des deux).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="115" />
        <source>A colour mask needs its classes: give CLASSES as '1:water:#1f78b4, 2:forest:#33a02c'.</source>
        <translation>Un masque de couleurs a besoin de ses classes : donnez CLASSES sous la forme '1:eau:#1f78b4, 2:forêt:#33a02c'.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="103" />
        <source>Choose the class field of the label polygons.</source>
        <translation>Choisissez le champ de classe des polygones d'étiquettes.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="139" />
        <source>{patches} patches: {train} train, {validation} validation, {test} test</source>
        <translation>{patches} imagettes : {train} entraînement, {validation} validation, {test} test</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/extract_algorithm.py" line="89" />
        <source>{split} patches</source>
        <translation>Imagettes ({split})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="38" />
        <source>Grid of patch cells</source>
        <translation>Grille de cellules d'imagettes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="41" />
        <source>Lays square cells of N × N pixels on the raster's pixel grid (whole raster, an extent or the polygons of an AOI layer) and splits them into train, validation and test: random cells, spatial blocks (no training cell touches a validation or test cell) or an AOI attribute. Cells with too much nodata (or, with labels, too few labelled pixels) are dropped. Writes a GeoPackage styled by split; edit cells or their split before extracting patches. Runs `satseg grid`.</source>
        <translation>Pose des cellules carrées de N × N pixels sur la grille de pixels du raster (raster entier, une emprise ou les polygones d'une couche de zone d'intérêt) et les répartit en entraînement, validation et test : cellules au hasard, blocs spatiaux (aucune cellule d'entraînement ne touche une cellule de validation ou de test) ou un attribut de la zone d'intérêt. Les cellules avec trop de nodata (ou, avec des étiquettes, trop peu de pixels étiquetés) sont écartées. Écrit un GeoPackage stylé selon la répartition ; modifiez les cellules ou leur répartition avant d'extraire les imagettes. Exécute `satseg grid`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="126" />
        <source>Cell (patch) size in pixels</source>
        <translation>Taille des cellules (imagettes) en pixels</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="128" />
        <source>Overlap between cells in pixels</source>
        <translation>Recouvrement entre cellules en pixels</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="129" />
        <source>Split</source>
        <translation>Répartition</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="135" />
        <source>Random seed of the split</source>
        <translation>Graine aléatoire de la répartition</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="136" />
        <source>Blocks split: block side in cells (0: auto)</source>
        <translation>Répartition par blocs : côté d'un bloc en cellules (0 : auto)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="138" />
        <source>Drop cells with a larger share of nodata</source>
        <translation>Écarter les cellules avec une plus grande part de nodata</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="177" />
        <source>Give either a label raster or label polygons, not both.</source>
        <translation>Donnez soit un raster d'étiquettes, soit des polygones d'étiquettes, pas les deux.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="53" />
        <source>Only within this extent</source>
        <translation>Uniquement dans cette emprise</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="55" />
        <source>Only within the polygons of (AOI)</source>
        <translation>Uniquement dans les polygones de (zone d'intérêt)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="58" />
        <source>Attribute split: AOI field with train/validation/test</source>
        <translation>Répartition par attribut : champ de la zone d'intérêt contenant train/validation/test</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="61" />
        <source>Label raster (to measure labelled pixels and split with every class)</source>
        <translation>Raster d'étiquettes (pour mesurer les pixels étiquetés et répartir chaque classe)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="70" />
        <source>With labels: drop cells with a smaller share of labelled pixels</source>
        <translation>Avec des étiquettes : écarter les cellules avec une plus petite part de pixels étiquetés</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="74" />
        <source>Replace an existing grid file</source>
        <translation>Remplacer un fichier de grille existant</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="77" />
        <source>Cells</source>
        <translation>Cellules</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="102" />
        <source>The grid is written as a GeoPackage: give the output a .gpkg file name.</source>
        <translation>La grille est écrite en GeoPackage : donnez à la sortie un nom de fichier en .gpkg.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="162" />
        <source>The split shares add up to 0; give the training split a share.</source>
        <translation>Les parts de la répartition font 0 au total ; donnez une part au jeu d'entraînement.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="95" />
        <source>The split 'attribute' reads train/validation/test from AOI polygons: give the AOI layer.</source>
        <translation>La répartition 'attribute' lit train/validation/test dans les polygones de la zone d'intérêt : donnez la couche de zone d'intérêt.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="114" />
        <source>{cells} cells: {train} train, {validation} validation, {test} test</source>
        <translation>{cells} cellules : {train} entraînement, {validation} validation, {test} test</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="81" />
        <source>{split} cells</source>
        <translation>Cellules ({split})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/grid_algorithm.py" line="132" />
        <source>Share of {split} cells</source>
        <translation>Part des cellules ({split})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="45" />
        <source>Predict classes</source>
        <translation>Prédire les classes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="48" />
        <source>Classifies a raster with a model trained by satseg (a .pt checkpoint): sliding windows in bounded memory over the whole raster, an extent or the bounding box of AOI polygons (nodata outside them). Writes a class raster (uint8, the model's class names and colours), a confidence raster (the highest class probability) and, when asked, one probability band per class. The raster must have the bands the model was trained with. Runs `satseg predict`.</source>
        <translation>Classe un raster avec un modèle entraîné par satseg (un point de contrôle .pt) : fenêtres glissantes en mémoire bornée sur le raster entier, une emprise ou l'emprise des polygones d'une zone d'intérêt (nodata en dehors). Écrit un raster de classes (uint8, avec les noms et couleurs des classes du modèle), un raster de confiance (la plus forte probabilité de classe) et, sur demande, une bande de probabilité par classe. Le raster doit avoir les bandes avec lesquelles le modèle a été entraîné. Exécute `satseg predict`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="59" />
        <source>Model (.pt from satseg training, or .onnx from its export)</source>
        <translation>Modèle (.pt de l'entraînement satseg, ou .onnx de son export)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="63" />
        <source>Only this extent</source>
        <translation>Uniquement cette emprise</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="69" />
        <source>Windows (auto: large windows for models that take any size, each pixel computed about once; patch: the training patch with an overlap)</source>
        <translation>Fenêtres (auto : grandes fenêtres pour les modèles qui acceptent toute taille, chaque pixel calculé environ une fois ; patch : l'imagette d'entraînement avec un recouvrement)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="73" />
        <source>Window side in pixels (overrides Windows)</source>
        <translation>Côté de la fenêtre en pixels (remplace Fenêtres)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="80" />
        <source>Window overlap (training-patch windows)</source>
        <translation>Recouvrement des fenêtres (fenêtres de la taille de l'imagette d'entraînement)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="82" />
        <source>Windows per pass (default: from the memory budget)</source>
        <translation>Fenêtres par passe (par défaut : selon le budget mémoire)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="86" />
        <source>Device</source>
        <translation>Processeur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="88" />
        <source>Average the four flips of every window (4× slower)</source>
        <translation>Moyenner les quatre retournements de chaque fenêtre (4× plus lent)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="92" />
        <source>Confidence</source>
        <translation>Confiance</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="94" />
        <source>Probabilities (one band per class)</source>
        <translation>Probabilités (une bande par classe)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="109" />
        <source>Give an extent or an AOI layer, not both.</source>
        <translation>Donnez une emprise ou une couche de zone d'intérêt, pas les deux.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="61" />
        <source>satseg models (*.pt *.onnx)</source>
        <translation>Modèles satseg (*.pt *.onnx)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="137" />
        <source>satseg writes GeoTIFF files: give {output} a .tif file name.</source>
        <translation>satseg écrit des fichiers GeoTIFF : donnez à {output} un nom de fichier en .tif.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="36" />
        <source>Train a model</source>
        <translation>Entraîner un modèle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="39" />
        <source>Trains a segmentation model on a dataset written by 'Extract patches' and writes best_iou.pt, best_loss.pt, last.pt, metrics and plots into the output folder. The job is the preset's keys, then those of JOB_FILE (a job saved by the Train dialog), then the parameters set here. Architectures, encoders and losses are those `satseg models` reports. Cancel leaves a resumable last.pt. Runs `satseg train`.</source>
        <translation>Entraîne un modèle de segmentation sur un jeu de données écrit par « Extraire des imagettes » et écrit best_iou.pt, best_loss.pt, last.pt, les métriques et les graphiques dans le dossier de sortie. La tâche prend les clés du préréglage, puis celles de JOB_FILE (une tâche enregistrée par la boîte de dialogue Entraîner), puis les paramètres réglés ici. Les architectures, encodeurs et pertes sont ceux qu'indique `satseg models`. Une annulation laisse un last.pt à partir duquel reprendre. Exécute `satseg train`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="50" />
        <source>Dataset folder (holds dataset.json)</source>
        <translation>Dossier du jeu de données (contient dataset.json)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="53" />
        <source>Preset</source>
        <translation>Préréglage</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="56" />
        <source>Job file (JSON saved by the Train dialog)</source>
        <translation>Fichier de tâche (JSON enregistré par la boîte de dialogue Entraîner)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="59" />
        <source>Architecture (default: the preset's)</source>
        <translation>Architecture (par défaut : celle du préréglage)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="61" />
        <source>Encoder (default: the preset's; auto: chosen for the dataset)</source>
        <translation>Encodeur (par défaut : celui du préréglage ; auto : choisi pour le jeu de données)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="63" />
        <source>Loss (default: the preset's)</source>
        <translation>Perte (par défaut : celle du préréglage)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="71" />
        <source>Epochs (default: the preset's)</source>
        <translation>Époques (par défaut : celles du préréglage)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="73" />
        <source>Patches per batch</source>
        <translation>Imagettes par lot</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="75" />
        <source>Cap on batches per epoch (0: all)</source>
        <translation>Plafond de lots par époque (0 : tous)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="83" />
        <source>Random seed</source>
        <translation>Graine aléatoire</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="85" />
        <source>Output folder (checkpoints, metrics, plots)</source>
        <translation>Dossier de sortie (points de contrôle, métriques, graphiques)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="86" />
        <source>Best checkpoint</source>
        <translation>Meilleur point de contrôle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="87" />
        <source>metrics.json</source>
        <translation>metrics.json</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="88" />
        <source>Validation mIoU</source>
        <translation>mIoU de validation</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="89" />
        <source>Epochs run</source>
        <translation>Époques effectuées</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="172" />
        <source>Best checkpoint: {path} (validation mIoU {miou:.3f})</source>
        <translation>Meilleur point de contrôle : {path} (mIoU de validation {miou:.3f})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="97" />
        <source>{path} is not a satseg dataset ({error}): choose a folder written by 'Extract patches'.</source>
        <translation>{path} n'est pas un jeu de données satseg ({error}) : choisissez un dossier écrit par « Extraire des imagettes ».</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/train_algorithm.py" line="151" />
        <source>This engine has no {what} '{value}': choose one of {known}.</source>
        <translation>Ce moteur ne propose pas « {value} » pour {what} : choisissez parmi {known}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="32" />
        <source>Class raster to polygons</source>
        <translation>Raster de classes vers polygones</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="35" />
        <source>Polygonises a class raster (e.g. the classes written by 'Predict classes') into a GeoPackage, block by block in bounded memory: segments smaller than MIN_SIZE pixels take the class of their largest neighbour, an optional majority filter smooths the edges, and each polygon gets its class value, name and colour, its area and, with a confidence raster, its mean confidence. Runs `satseg vectorize`.</source>
        <translation>Polygonise un raster de classes (par ex. les classes écrites par « Prédire les classes ») dans un GeoPackage, bloc par bloc en mémoire bornée : les segments de moins de MIN_SIZE pixels prennent la classe de leur plus grand voisin, un filtre majoritaire facultatif lisse les bords, et chaque polygone reçoit sa valeur de classe, son nom et sa couleur, sa surface et, avec un raster de confiance, sa confiance moyenne. Exécute `satseg vectorize`.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="45" />
        <source>Class raster</source>
        <translation>Raster de classes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="47" />
        <source>Confidence raster (mean per polygon)</source>
        <translation>Raster de confiance (moyenne par polygone)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="49" />
        <source>Class names and colours from this model (default: the raster's)</source>
        <translation>Noms et couleurs des classes pris de ce modèle (par défaut : ceux du raster)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="52" />
        <source>Sieve: smallest segment in pixels (0: keep all)</source>
        <translation>Tamisage : plus petit segment en pixels (0 : tout garder)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="55" />
        <source>Majority filter window (0: none; odd: 3, 5, …)</source>
        <translation>Fenêtre du filtre majoritaire (0 : aucun ; impaire : 3, 5, …)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="58" />
        <source>Pixels per block side (memory)</source>
        <translation>Pixels par côté de bloc (mémoire)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="61" />
        <source>Polygons</source>
        <translation>Polygones</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="62" />
        <source>Polygons written</source>
        <translation>Polygones écrits</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="75" />
        <source>The majority filter window must be 0 (off) or odd: 3, 5, 7, …</source>
        <translation>La fenêtre du filtre majoritaire doit être 0 (désactivé) ou impaire : 3, 5, 7, …</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="82" />
        <source>The polygons are written as a GeoPackage: give the output a .gpkg file name.</source>
        <translation>Les polygones sont écrits en GeoPackage : donnez à la sortie un nom de fichier en .gpkg.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/vectorize_algorithm.py" line="91" />
        <source>{features} polygons written to {path}</source>
        <translation>{features} polygones écrits dans {path}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="84" />
        <source>Learning rate and regularisation</source>
        <translation>Taux d’apprentissage et régularisation</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="85" />
        <source>Architecture and encoder</source>
        <translation>Architecture et encodeur</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="86" />
        <source>Loss and class balance</source>
        <translation>Perte et équilibre des classes</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="87" />
        <source>Augmentation</source>
        <translation>Augmentation</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="91" />
        <source>range</source>
        <translation>intervalle</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="91" />
        <source>log range</source>
        <translation>intervalle logarithmique</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="92" />
        <source>integer range</source>
        <translation>intervalle d’entiers</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="93" />
        <source>choices</source>
        <translation>choix</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="133" />
        <source>low end</source>
        <translation>la borne basse</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="134" />
        <source>high end</source>
        <translation>la borne haute</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="158" />
        <source>step</source>
        <translation>le pas</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="182" />
        <source>no choices: list them separated by commas (e.g. resnet18, resnet34).</source>
        <translation>aucun choix : listez-les séparés par des virgules (p. ex. resnet18, resnet34).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="185" />
        <source>a choice is listed twice: list each once.</source>
        <translation>un choix figure deux fois : listez chacun une seule fois.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="243" />
        <source>Choose the output folder of the search (its study, trials and best model go there).</source>
        <translation>Choisissez le dossier de sortie de la recherche (son étude, ses essais et le meilleur modèle y sont écrits).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="246" />
        <source>A search judges each trial on the validation split, not by cross-validation: set the cross-validation folds to 0 (cross-validate the best settings afterwards).</source>
        <translation>Une recherche juge chaque essai sur la partition de validation, pas par validation croisée : mettez les plis de validation croisée à 0 (validez ensuite les meilleurs réglages par validation croisée).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="255" />
        <source>Nothing to search: tick at least one key in the table, or choose a preset.</source>
        <translation>Rien à rechercher : cochez au moins une clé dans le tableau, ou choisissez un préréglage.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="259" />
        <source>Give a budget: a number of trials, minutes, or both (0 trials runs until the minutes are spent).</source>
        <translation>Donnez un budget : un nombre d’essais, des minutes, ou les deux (0 essai tourne jusqu’à épuisement des minutes).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="136" />
        <source>the low end ({low}) is above the high end ({high}): swap them.</source>
        <translation>la borne basse ({low}) dépasse la borne haute ({high}) : inversez-les.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="149" />
        <source>a log range needs a low end above 0 (it is {low}): use e.g. 1e-6, or a plain range.</source>
        <translation>un intervalle logarithmique demande une borne basse supérieure à 0 (elle vaut {low}) : utilisez p. ex. 1e-6, ou un intervalle simple.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="128" />
        <source>the {what} '{text}' is not a number.</source>
        <translation>{what} « {text} » n’est pas un nombre.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="160" />
        <source>the step must be 1 or more (it is {step}).</source>
        <translation>le pas doit valoir 1 ou plus (il vaut {step}).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/core/tune_job.py" line="265" />
        <source>A grid search needs a finite grid: make {keys} choices or integer ranges, or choose another sampler.</source>
        <translation>Une recherche en grille demande une grille finie : faites de {keys} des choix ou des intervalles d’entiers, ou choisissez un autre échantillonneur.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="127" />
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="52" />
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="53" />
        <source>Low</source>
        <translation>Bas</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="53" />
        <source>High</source>
        <translation>Haut</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="53" />
        <source>Step</source>
        <translation>Pas</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="56" />
        <source>Choices (comma-separated)</source>
        <translation>Choix (séparés par des virgules)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="54" />
        <source>Problem</source>
        <translation>Problème</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="36" />
        <source>complete</source>
        <translation>terminé</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="36" />
        <source>pruned</source>
        <translation>élagué</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="37" />
        <source>failed</source>
        <translation>échoué</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="67" />
        <source>Train with the best settings</source>
        <translation>Entraîner avec les meilleurs réglages</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="69" />
        <source>Opens the training dialog with the best trial's settings, to train the final model.</source>
        <translation>Ouvre la fenêtre d’entraînement avec les réglages du meilleur essai, pour entraîner le modèle final.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="88" />
        <source>No trial has ended yet.</source>
        <translation>Aucun essai n’est encore terminé.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="58" />
        <source>Trial</source>
        <translation>Essai</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="58" />
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="59" />
        <source>Parameters</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="60" />
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="137" />
        <source>No trial has a value yet.</source>
        <translation>Aucun essai n’a encore de valeur.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="153" />
        <source>trial {number}: epoch {epoch}, {done}/{total} batches</source>
        <translation>essai {number} : époque {epoch}, {done}/{total} lots</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="126" />
        <source>Best so far: trial {number}, {metric} = {value} ({params})</source>
        <translation>Meilleur jusqu’ici : essai {number}, {metric} = {value} ({params})</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="79" />
        <source>satseg — Search settings</source>
        <translation>satseg — Rechercher des réglages</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="91" />
        <source>Training to improve</source>
        <translation>Entraînement à améliorer</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="102" />
        <source>What to search</source>
        <translation>Ce qu’il faut rechercher</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="40" />
        <source>until the time is up</source>
        <translation>jusqu’à la fin du temps imparti</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="44" />
        <source>no limit</source>
        <translation>sans limite</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="47" />
        <source>auto (minimise a loss, else maximise)</source>
        <translation>auto (minimiser une perte, sinon maximiser)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="52" />
        <source>SQLite in the output folder (study.db)</source>
        <translation>SQLite dans le dossier de sortie (study.db)</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="54" />
        <source>Any SQLAlchemy URL (e.g. postgresql://…) lets several satseg tune processes work on one study.</source>
        <translation>Toute URL SQLAlchemy (p. ex. postgresql://…) permet à plusieurs processus satseg tune de travailler sur une même étude.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="37" />
        <source>Budget and search</source>
        <translation>Budget et recherche</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="65" />
        <source>Trials:</source>
        <translation>Essais :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="66" />
        <source>Time budget (minutes):</source>
        <translation>Budget de temps (minutes) :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="67" />
        <source>Metric:</source>
        <translation>Métrique :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="68" />
        <source>Direction:</source>
        <translation>Sens :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="69" />
        <source>Sampler:</source>
        <translation>Échantillonneur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="70" />
        <source>Pruner:</source>
        <translation>Élagueur :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="71" />
        <source>Storage:</source>
        <translation>Stockage :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="72" />
        <source>Study name:</source>
        <translation>Nom de l’étude :</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="117" />
        <source>Trials</source>
        <translation>Essais</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="149" />
        <source>Every other training option keeps the engine's default. To search around your own settings, click Search settings… in the training dialog, or load a training job file.</source>
        <translation>Toutes les autres options d’entraînement gardent la valeur par défaut du moteur. Pour chercher autour de vos propres réglages, cliquez sur Rechercher des réglages… dans la fenêtre d’entraînement, ou chargez un fichier de tâche d’entraînement.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="197" />
        <source>the loaded job</source>
        <translation>la tâche chargée</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="206" />
        <source>Save search job</source>
        <translation>Enregistrer la tâche de recherche</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="220" />
        <source>Load job</source>
        <translation>Charger une tâche</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="326" />
        <source>The training dialog holds the best settings: click Start there to train the final model.</source>
        <translation>La fenêtre d’entraînement contient les meilleurs réglages : cliquez-y sur Démarrer pour entraîner le modèle final.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_search.py" line="111" />
        <source>This folder holds a study: Search continues it until it has the trials asked for.</source>
        <translation>Ce dossier contient une étude : Rechercher la poursuit jusqu’à obtenir le nombre d’essais demandé.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="241" />
        <source>Searching… each trial is one training run; QGIS stays usable meanwhile.</source>
        <translation>Recherche en cours… chaque essai est un entraînement ; QGIS reste utilisable pendant ce temps.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="157" />
        <source>Every other training option as in {origin}: {shown} ({n} options).</source>
        <translation>Toutes les autres options d’entraînement comme dans {origin} : {shown} ({n} options).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="288" />
        <source>Search finished: {complete} complete, {pruned} pruned, {failed} failed. Best: trial {number}, {value}.</source>
        <translation>Recherche terminée : {complete} terminés, {pruned} élagués, {failed} échoués. Meilleur : essai {number}, {value}.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="214" />
        <source>Job saved to {path}. Run it without QGIS with: satseg tune --config {name}</source>
        <translation>Tâche enregistrée dans {path}. Lancez-la sans QGIS avec : satseg tune --config {name}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="239" />
        <source>Continuing the study in {folder}…</source>
        <translation>Poursuite de l’étude dans {folder}…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="270" />
        <source>{done}/{total} trials</source>
        <translation>{done}/{total} essais</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="274" />
        <source>{done} trials</source>
        <translation>{done} essais</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="298" />
        <source>Search cancelled. The study in {folder} keeps its ended trials: click Search with the same output folder to resume it.</source>
        <translation>Recherche annulée. L’étude dans {folder} garde ses essais terminés : cliquez sur Rechercher avec le même dossier de sortie pour la reprendre.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="115" />
        <source>Search settings…</source>
        <translation>Rechercher des réglages…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/plugin.py" line="48" />
        <source>The settings search is not available in this version yet.</source>
        <translation>La recherche de réglages n’est pas encore disponible dans cette version.</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="116" />
        <source>Search the best learning rate, architecture, loss… around these settings (satseg tune).</source>
        <translation>Rechercher le meilleur taux d’apprentissage, la meilleure architecture, perte… autour de ces réglages (satseg tune).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/train_dialog.py" line="380" />
        <source>the training dialog</source>
        <translation>la fenêtre d’entraînement</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_space.py" line="54" />
        <source>Choices</source>
        <translation>Choix</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="147" />
        <source>trial {number}: starting…</source>
        <translation>essai {number} : démarrage…</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_trials.py" line="131" />
        <source>Best so far: trial {number} of an earlier run of this study, {metric} = {value}</source>
        <translation>Meilleur jusqu’ici : essai {number} d’une exécution antérieure de cette étude, {metric} = {value}</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/tune_dialog.py" line="283" />
        <source>Search finished: {complete} complete, {pruned} pruned, {failed} failed; no trial completed (the satseg log says why).</source>
        <translation>Recherche terminée : {complete} terminés, {pruned} élagués, {failed} échoués ; aucun essai n’a abouti (le journal satseg dit pourquoi).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/gui/predict_windows.py" line="59" />
        <source>Pixels at each window edge that are down-weighted where windows meet (Auto: a sixteenth of the training patch, at least 8).</source>
        <translation>Pixels au bord de chaque fenêtre dont le poids est réduit là où les fenêtres se rejoignent (Auto : un seizième du patch d'entraînement, au moins 8).</translation>
    </message>
    <message>
        <location filename="../satseg_plugin/processing/predict_algorithm.py" line="76" />
        <source>Margin down-weighted where large windows meet, in pixels (default: a sixteenth of the training patch, at least 8)</source>
        <translation>Marge au poids réduit là où les grandes fenêtres se rejoignent, en pixels (par défaut : un seizième de l'imagette d'entraînement, au moins 8)</translation>
    </message>
</context>
</TS>
