//! Name and street tables per language group. Data only; [`crate::locale`] decides which group a
//! practitioner's country draws from.
//!
//! Most craniosacral practitioners are women, so roughly two thirds of each first-name list is
//! female. Street stems are common, unremarkable names: combined with a random house number they
//! make addresses that look real without pointing at a particular one.

/// A language group's names and streets.
#[derive(Debug)]
pub(crate) struct NameTable {
    pub first: &'static [&'static str],
    pub last: &'static [&'static str],
    /// Street stems; [`crate::locale`] adds the group's street pattern ("{stem} St",
    /// "{stem}straße 12", "Via {stem} 3").
    pub streets: &'static [&'static str],
}

#[rustfmt::skip]
pub(crate) const ENGLISH: NameTable = NameTable {
    first: &[
        "Sarah", "Emily", "Jennifer", "Jessica", "Amanda", "Rebecca", "Laura", "Rachel", "Hannah",
        "Megan", "Claire", "Katherine", "Elizabeth", "Anna", "Grace", "Olivia", "Charlotte",
        "Sophie", "Lucy", "Alice", "Helen", "Susan", "Karen", "Linda", "Deborah", "Julie",
        "Melissa", "Heather", "Amy", "Nicole", "Fiona", "Siobhan", "Aoife", "Ciara", "Niamh",
        "Bridget", "Maggie", "Joanna", "Ruth", "Tessa", "Molly", "Abigail", "Diane", "Wendy",
        "Michael", "David", "James", "John", "Robert", "Daniel", "Matthew", "Andrew", "Thomas",
        "Christopher", "Mark", "Paul", "Simon", "Peter", "Ian", "Sean", "Liam", "Patrick", "Owen",
        "Nathan", "Benjamin",
    ],
    last: &[
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
        "Taylor", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis",
        "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
        "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans",
        "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
        "Reed", "Bailey", "Bell", "Cooper", "Richardson", "Cox", "Ward", "Brooks", "Bennett",
        "Gray", "Hughes", "Price", "Sanders", "Foster", "Kelly", "O'Brien", "Byrne", "Walsh",
        "Ryan", "O'Connor", "McCarthy", "Fraser", "MacDonald", "Sinclair", "Davies", "Jenkins",
        "Nguyen", "Patel", "Chen", "Garcia", "Lopez", "Kim",
    ],
    streets: &[
        "Pearl", "Maple", "Oak", "Cedar", "Pine", "Elm", "Walnut", "Spruce", "Willow", "Birch",
        "Main", "High", "Church", "Park", "Mill", "Station", "Market", "Bridge", "Spring", "Lake",
        "River", "Hill", "Meadow", "Orchard", "Chestnut", "Grove", "Victoria", "Albert", "King",
        "Queen", "George", "Broad", "Washington", "Lincoln", "Franklin", "Jefferson", "Madison",
        "Highland", "Sunset", "Garden", "Forest", "Valley", "Harbour", "Beacon", "Canal", "Castle",
        "Abbey", "Manor", "Chapel", "Greenway",
    ],
};

#[rustfmt::skip]
pub(crate) const GERMAN: NameTable = NameTable {
    first: &[
        "Anna", "Katharina", "Julia", "Sabine", "Petra", "Claudia", "Andrea", "Susanne", "Stefanie",
        "Nicole", "Christina", "Martina", "Birgit", "Monika", "Ursula", "Gabriele", "Heike",
        "Silke", "Anja", "Kerstin", "Melanie", "Sandra", "Lena", "Lea", "Hannah", "Johanna",
        "Miriam", "Franziska", "Veronika", "Barbara", "Elisabeth", "Ingrid", "Renate", "Doris",
        "Regula", "Corinne", "Michael", "Thomas", "Andreas", "Stefan", "Markus", "Christian",
        "Martin", "Matthias", "Jürgen", "Wolfgang", "Klaus", "Frank", "Tobias", "Florian",
        "Sebastian", "Lukas", "Jonas", "Felix", "Urs", "Reto", "Georg",
    ],
    last: &[
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
        "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
        "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
        "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich", "Keller", "Günther",
        "Frank", "Berger", "Winkler", "Roth", "Baumann", "Brunner", "Gruber", "Steiner", "Moser",
        "Egger", "Bühler", "Frei", "Graf",
    ],
    streets: &[
        "Haupt", "Bahnhof", "Garten", "Schul", "Dorf", "Berg", "Kirch", "Linden", "Wald", "Ring",
        "Mühlen", "Schiller", "Goethe", "Mozart", "Beethoven", "Rosen", "Birken", "Eichen",
        "Tannen", "Friedhof", "Markt", "Brunnen", "Sonnen", "Wiesen", "Feld", "Kloster", "Burg",
        "Schloss", "Post", "Park", "Uhland", "Lessing", "Kant", "Luisen", "Wilhelm", "Friedrich",
        "Bismarck", "Blumen", "Ahorn", "Buchen",
    ],
};

#[rustfmt::skip]
pub(crate) const DUTCH: NameTable = NameTable {
    first: &[
        "Anouk", "Sanne", "Lotte", "Femke", "Eva", "Marieke", "Esther", "Ingrid", "Annemieke",
        "Wilma", "Marloes", "Linda", "Nicole", "Petra", "Ilse", "Inge", "Karin", "Monique",
        "Saskia", "Mirjam", "Jolanda", "Chantal", "Fleur", "Iris", "Noor", "Roos", "Lieke", "Els",
        "Griet", "Hilde", "Katrien", "Sofie", "Jan", "Pieter", "Dirk", "Joost", "Bas", "Sander",
        "Thijs", "Maarten", "Wouter", "Ruud", "Erik", "Koen", "Bram", "Jeroen", "Stijn", "Tom",
        "Wim", "Geert",
    ],
    last: &[
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
        "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
        "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel",
        "van der Veen", "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten",
        "van Beek", "Willems", "van Vliet", "Hoekstra", "Maas", "Verhoeven", "Koster", "Peeters",
        "Maes", "Claes", "Goossens", "Wouters", "De Smet", "Mertens", "Dubois",
    ],
    streets: &[
        "Kerk", "Molen", "School", "Dorps", "Stations", "Wilhelmina", "Juliana", "Beatrix",
        "Oranje", "Linden", "Eiken", "Beuken", "Berken", "Hoofd", "Markt", "Haven", "Brug",
        "Kastanje", "Rozen", "Tulp", "Nieuwe", "Oude", "Prins Hendrik", "Emma", "Parallel", "Burg",
        "Sint-Jans", "Veld", "Bos", "Zand",
    ],
};

#[rustfmt::skip]
pub(crate) const FRENCH: NameTable = NameTable {
    first: &[
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Valérie", "Christine",
        "Sandrine", "Céline", "Aurélie", "Émilie", "Julie", "Camille", "Claire", "Anne", "Hélène",
        "Caroline", "Laurence", "Véronique", "Mathilde", "Chloé", "Léa", "Manon", "Élodie",
        "Pauline", "Geneviève", "Josée", "Mélanie", "Brigitte", "Jean", "Pierre", "Philippe",
        "Nicolas", "François", "Laurent", "Olivier", "Stéphane", "Julien", "Thierry", "Sébastien",
        "Antoine", "Mathieu", "Benoît", "Guillaume",
    ],
    last: &[
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont",
        "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
        "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
        "Clément", "Gauthier", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Pelletier",
        "Lavoie",
    ],
    streets: &[
        "de la République", "Victor Hugo", "Jean Jaurès", "de la Paix", "Pasteur", "du Moulin",
        "de l'Église", "des Écoles", "de la Gare", "Gambetta", "du Château", "des Lilas",
        "Voltaire", "Émile Zola", "de la Liberté", "des Tilleuls", "du Marché", "Saint-Michel",
        "Nationale", "de Verdun", "Carnot", "du Général de Gaulle", "des Érables", "Saint-Denis",
        "Sainte-Catherine", "Notre-Dame", "du Lac", "des Vignes", "Mozart", "Jean Moulin",
    ],
};

#[rustfmt::skip]
pub(crate) const SPANISH: NameTable = NameTable {
    first: &[
        "María", "Carmen", "Lucía", "Laura", "Marta", "Ana", "Isabel", "Cristina", "Elena", "Pilar",
        "Rosa", "Raquel", "Beatriz", "Nuria", "Silvia", "Patricia", "Sonia", "Irene", "Alba",
        "Claudia", "Sara", "Paula", "Montserrat", "Inés", "Mercedes", "Antonio", "José", "Manuel",
        "Francisco", "David", "Javier", "Daniel", "Carlos", "Miguel", "Alejandro", "Pablo",
        "Sergio", "Jordi", "Álvaro", "Raúl",
    ],
    last: &[
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
        "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
        "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
        "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado",
        "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias", "Medina", "Garrido", "Cortés",
        "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez",
    ],
    streets: &[
        "Mayor", "Real", "del Sol", "de la Paz", "San Juan", "Nueva", "del Carmen", "de Cervantes",
        "Gran Vía", "de la Constitución", "de Goya", "del Mar", "de Alcalá", "San Francisco",
        "de la Iglesia", "del Pilar", "de Colón", "de las Flores", "del Río", "Santa Ana",
        "de Antonio Machado", "del Prado", "de la Rambla", "de Sevilla", "de Valencia",
    ],
};

#[rustfmt::skip]
pub(crate) const ITALIAN: NameTable = NameTable {
    first: &[
        "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Federica", "Alessandra", "Silvia",
        "Elena", "Laura", "Paola", "Roberta", "Simona", "Barbara", "Monica", "Cristina", "Elisa",
        "Martina", "Anna", "Maria", "Lucia", "Giovanna", "Daniela", "Serena", "Marco", "Andrea",
        "Luca", "Giuseppe", "Alessandro", "Matteo", "Francesco", "Lorenzo", "Stefano", "Paolo",
        "Davide", "Simone", "Roberto", "Giovanni", "Fabio",
    ],
    last: &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
        "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
        "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale",
        "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi", "Villa",
        "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    ],
    streets: &[
        "Roma", "Garibaldi", "Mazzini", "Vittorio Emanuele", "Cavour", "Dante", "Verdi", "Marconi",
        "Matteotti", "XX Settembre", "della Repubblica", "San Francesco", "Manzoni", "dei Mille",
        "Leopardi", "Gramsci", "della Libertà", "Nazionale", "del Corso", "Santa Maria",
        "dei Tigli", "delle Rose", "Carducci", "Petrarca", "Milano",
    ],
};

/// Danish, Norwegian and Swedish names; Danish and Norwegian street stems (Swedish ones are in
/// [`SWEDISH_STREETS`]).
#[rustfmt::skip]
pub(crate) const SCANDINAVIAN: NameTable = NameTable {
    first: &[
        "Anna", "Maria", "Karin", "Kristina", "Lena", "Emma", "Sara", "Ingrid", "Astrid", "Sofia",
        "Elin", "Linnea", "Maja", "Ida", "Mette", "Hanne", "Kirsten", "Lone", "Camilla", "Line",
        "Silje", "Ingeborg", "Marit", "Kari", "Tone", "Sigrid", "Helle", "Birgitte", "Signe",
        "Frida", "Lars", "Anders", "Johan", "Erik", "Per", "Nils", "Magnus", "Henrik", "Mikkel",
        "Søren", "Jens", "Ole", "Bjørn", "Knut", "Olav", "Stig", "Mats", "Jonas",
    ],
    last: &[
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg", "Lindqvist", "Berg",
        "Lundgren", "Bergström", "Nyström", "Sandberg", "Holm", "Nielsen", "Jensen", "Hansen",
        "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen",
        "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Karlsen", "Haugen",
        "Bakken", "Solberg", "Eriksen", "Berge", "Dahl", "Halvorsen", "Lie", "Strand", "Moen",
        "Lunde", "Aasen", "Nygaard",
    ],
    streets: &[
        "Kirke", "Skole", "Mølle", "Strand", "Park", "Skov", "Ny", "Vester", "Øster", "Nørre",
        "Søndre", "Hav", "Bro", "Torv", "Lind", "Birke", "Rose", "Eng", "Bakke", "Kongens",
        "Dronning", "Enghave", "Sol", "Skipper",
    ],
};

/// Swedish street stems ("Kyrkogatan"), which Danish and Norwegian spell differently.
#[rustfmt::skip]
pub(crate) const SWEDISH_STREETS: &[&str] = &[
    "Kyrko", "Skol", "Drottning", "Kungs", "Strand", "Park", "Skogs", "Ny", "Väster", "Öster",
    "Norr", "Söder", "Hamn", "Bro", "Torg", "Lind", "Björk", "Ek", "Ros", "Ängs", "Sol", "Prins",
];

/// Free-text professions the vocabulary is not expected to know: they exercise ingest's
/// "unknown profession" warning path. Entries the vocabulary does know are dropped at startup.
#[rustfmt::skip]
pub(crate) const FREE_TEXT_PROFESSIONS: &[&str] = &[
    "Feldenkrais teacher", "Alexander Technique teacher", "Shiatsu practitioner", "Yoga teacher",
    "Doula", "Reflexologist",
];

/// Adjectives and nouns for English practice names ("Stillwater Craniosacral").
#[rustfmt::skip]
pub(crate) const PRACTICE_WORDS: &[&str] = &[
    "Stillwater", "Still Point", "Tidal", "Gentle Touch", "Quiet Tide", "Midline", "Fulcrum",
    "Riverstone", "Deep Listening", "Wellspring", "Cedar Grove", "Harbour Light", "Open Hand",
    "Breath of Life", "Long Tide", "Inner Tide", "Blue Heron", "Evergreen", "Willow", "Calm Waters",
    "Moonrise", "Northstar", "Sacred Stillness", "Bright Meadow",
];

/// Nouns for English practice names, after the word: "Craniosacral", "Bodywork"...
#[rustfmt::skip]
pub(crate) const PRACTICE_KINDS: &[&str] = &[
    "Craniosacral", "Craniosacral Therapy", "CranioSacral Therapy", "Bodywork",
    "Cranial Sacral Therapy", "Wellness", "Therapies",
];
