namespace Imail.Domain.Policies;

/// <summary>
/// Version 1.0 of the policy, as the <c>PolicyVersions</c> migration published it: the French text is the
/// binding one; the Dutch and English texts say so. Published versions never change (P13): do not edit this,
/// publish a new version.
/// </summary>
public static class FirstPolicyVersion
{
    public const string Number = "1.0";

    /// <summary>In effect from 1 January 2025, before any account existed: it governs everyone.</summary>
    public static readonly DateTimeOffset EffectiveAt = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string SummaryFr = "Première version publiée de la politique de confidentialité d'Imail Solutions (CINQ-CINQ SPRL).";
    public const string SummaryNl = "Eerste gepubliceerde versie van het privacybeleid van Imail Solutions (CINQ-CINQ SPRL). Alleen de Franse tekst is bindend.";
    public const string SummaryEn = "First published version of the privacy policy of Imail Solutions (CINQ-CINQ SPRL). Only the French text is binding.";

    public const string TextNl = """
        Het privacybeleid van Imail Solutions (een product van CINQ-CINQ SPRL, chaussée d'Alsemberg 842, 1180 Ukkel, België) is opgesteld in het Frans. Alleen de Franse tekst van deze versie is bindend; een Nederlandse vertaling bestaat nog niet.

        U kunt de Franse tekst lezen in de Franse versie van dit beleid (locale fr). Voor elke vraag over uw persoonsgegevens kunt u de uitgever schrijven op het adres dat in elke e-mail van Imail staat.
        """;

    public const string TextEn = """
        The privacy policy of Imail Solutions (a product of CINQ-CINQ SPRL, 842 chaussée d'Alsemberg, 1180 Uccle, Belgium) is written in French. Only the French text of this version is binding; no English translation exists yet.

        The French text is the French version of this policy (locale fr). For any question about your personal data, write to the publisher at the address every e-mail from Imail gives.
        """;

    public const string TextFr = """
        Mentions légales

        Politique de confidentialité

        Sécurité et protection des données personnelles

        Définitions :

        L’Éditeur : Imail Solutions est un produit de CINQ-CINQ SPRL basée en Belgique 842, chaussée d’Alsemberg 1180 Uccle BELGIQUE
        Le Site : L’ensemble des sites, pages Internet et services en ligne proposés par l’Éditeur.
        L’Utilisateur : La personne utilisant le Site et les services.

        Nature des données collectées
        Dans le cadre de l’utilisation des Sites, l’Éditeur est susceptible de
        collecter les catégories de données suivantes concernant ses Utilisateurs :

        Agrégation des données

        Agrégation avec des données non personnelles
        Nous pouvons publier, divulguer et utiliser les informations agrégées
        (informations relatives à tous nos Utilisateurs ou à des groupes ou catégories
        spécifiques d’Utilisateurs que nous combinons de manière à ce qu’un Utilisateur
        individuel ne puisse plus être identifié ou mentionné) et les informations non
        personnelles à des fins d’analyse du secteur et du marché, de profilage
        démographique, à des fins promotionnelles et publicitaires et à d’autres fins
        commerciales.

        Agrégation avec des données personnelles disponibles sur les comptes
        sociaux de l’Utilisateur

        Si vous connectez votre compte à un compte d’un autre service afin de faire des
        envois croisés, ledit service pourra nous communiquer vos informations de
        profil, de connexion, ainsi que toute autre information dont vous avez autorisé
        la divulgation. Nous pouvons agréger les informations relatives à tous nos
        autres Utilisateurs, groupes, comptes, aux données personnelles disponibles sur
        l’Utilisateur.

        Cookies

        Durée de conservation des cookies
        Conformément aux recommandations de la CNIL, la durée maximale de conservation
        des cookies est de 13 mois au maximum après leur premier dépôt dans le terminal
        de l’Utilisateur, tout comme la durée de la validité du consentement de
        l’Utilisateur à l’utilisation de ces cookies. La durée de vie des cookies n’est
        pas prolongée à chaque visite. Le consentement de l’Utilisateur devra donc être
        renouvelé à l’issue de ce délai.

        Finalité cookies
        Les cookies peuvent être utilisés pour des fins statistiques notamment pour
        optimiser les services rendus à l’Utilisateur, à partir du traitement des
        informations concernant la fréquence d’accès, la personnalisation des pages
        ainsi que les opérations réalisées et les informations consultées.
        Vous êtes informé que l’Éditeur est susceptible de déposer des cookies sur
        votre terminal. Le cookie enregistre des informations relatives à la navigation
        sur le service (les pages que vous avez consultées, la date et l’heure de la
        consultation…) que nous pourrons lire lors de vos visites ultérieures.

        Conservation des données techniques

        Durée de conservation des données techniques
        Les données techniques sont conservées pour la durée strictement nécessaire à
        la réalisation des finalités visées ci-avant.

        Délai de conservation des données personnelles et
        d’anonymisation

        Suppression des données après suppression du compte
        Des moyens de purge de données sont mis en place afin d’en prévoir la
        suppression effective dès lors que la durée de conservation ou d’archivage
        nécessaire à l’accomplissement des finalités déterminées ou imposées est
        atteinte. Conformément à la loi n°78-17 du 6 janvier 1978 relative à
        l’informatique, aux fichiers et aux libertés, vous disposez par ailleurs d’un
        droit de suppression sur vos données que vous pouvez exercer à tout moment en
        prenant contact avec l’Éditeur.

        Suppression des données après 3 ans d’inactivité
        Pour des raisons de sécurité, si vous ne vous êtes pas authentifié sur le Site
        pendant une période de trois ans, vous recevrez un e-mail vous invitant à vous
        connecter dans les plus brefs délais, sans quoi vos données seront supprimées
        de nos bases de données.

        Suppression du compte

        Suppression du compte à la demande
        L’Utilisateur a la possibilité de supprimer son Compte à tout moment, par
        simple demande à l’Éditeur OU par le menu de suppression de Compte présent dans
        les paramètres du Compte le cas échéant.

        Suppression du compte en cas de violation des CGU
        En cas de violation d’une ou de plusieurs dispositions des CGU ou de tout autre
        document incorporé aux présentes par référence, l’Éditeur se réserve le droit
        de mettre fin ou restreindre sans aucun avertissement préalable et à sa seule
        discrétion, votre usage et accès aux services, à votre compte et à tous les
        Sites.

        Indications en cas de faille de sécurité décelée
        par l’Éditeur

        Information de l’Utilisateur en cas de faille de sécurité
        Nous nous engageons à mettre en œuvre toutes les mesures techniques et
        organisationnelles appropriées afin de garantir un niveau de sécurité adapté au
        regard des risques d’accès accidentels, non autorisés ou illégaux, de
        divulgation, d’altération, de perte ou encore de destruction des données
        personnelles vous concernant. Dans l’éventualité où nous prendrions
        connaissance d’un accès illégal aux données personnelles vous concernant
        stockées sur nos serveurs ou ceux de nos prestataires, ou d’un accès non
        autorisé ayant pour conséquence la réalisation des risques identifiés
        ci-dessus, nous nous engageons à :

        Vous notifier l’incident dans les plus brefs délais ;
        Examiner les causes de l’incident et vous en informer ;
        Prendreles mesures nécessaires dans la limite du raisonnable afin d’amoindrir les
        effets négatifs et préjudices pouvant résulter dudit incident

        Limitation de la responsabilité
        En aucun cas les engagements définis au point ci-dessus relatifs à la
        notification en cas de faille de sécurité ne peuvent être assimilés à une
        quelconque reconnaissance de faute ou de responsabilité quant à la survenance
        de l’incident en question.

        Modification des CGU et de la politique de
        confidentialité

        En cas de modification des présentes CGU, engagement de ne pas baisser
        le niveau de confidentialité de manière substantielle sans l’information
        préalable des personnes concernées

        Nous nous engageons à vous informer en cas de modification substantielle des
        présentes CGU, et à ne pas baisser le niveau de confidentialité de vos données
        de manière substantielle sans vous en informer et obtenir votre consentement.
        """;
}
