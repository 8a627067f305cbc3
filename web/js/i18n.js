// i18n.js - the portal's words in French (the default, with the labels of the program
// owner's own pages) and English, and dates and money in the chosen language.

const KEY = 'partnerd.lang';
let current = (() => {
  try { return localStorage.getItem(KEY) === 'en' ? 'en' : 'fr'; } catch { return 'fr'; }
})();

export const lang = () => current;
export function setLang(l) {
  current = l === 'en' ? 'en' : 'fr';
  try { localStorage.setItem(KEY, current); } catch { /* private mode: for this page only */ }
  document.documentElement.lang = current;
}

const words = {
  fr: {
    app: 'Espace partenaires', console: 'Console du programme', skip: 'Aller au contenu',
    other_lang: 'English', other_lang_code: 'en', sign_out: 'Se déconnecter', sign_in: 'Se connecter',
    join: 'Rejoindre le réseau', optional: 'facultatif', loading: 'Chargement…', back: 'Retour',
    save: 'Enregistrer', cancel: 'Annuler', close: 'Fermer', send: 'Envoyer', next: 'Suivant', yes: 'Oui', no: 'Non',
    error_generic: 'Une erreur est survenue. Réessayez dans un instant.',
    not_found: 'Page introuvable', not_found_text: "Cette page n'existe pas ou vous n'y avez pas accès.",
    forbidden: "Vous n'avez pas accès à cette page.",
    // navigation
    nav_partner: 'Navigation de l\'Espace partenaires', nav_offers: "Offres d'adhésion", nav_bought: 'Acheté',
    nav_invoices: 'Factures', nav_support: "Demandes à l'Espace partenaires", nav_users: 'Utilisateurs et autorisations',
    nav_profile: "Profil de l'entreprise", nav_account: 'Mon compte', group_membership: 'Adhésion', group_help: 'Support',
    group_org: 'Organisation', nav_console: 'Navigation de la console', nav_dashboard: 'Tableau de bord',
    nav_partners: 'Partenaires', nav_payments: 'Virements et remboursements', nav_queue: 'Demandes de support',
    nav_deliveries: 'E-mails et webhooks', nav_clock: 'Horloge de test',
    // sign-in and join
    email: 'Adresse e-mail', password: 'Mot de passe', totp: "Code de l'application d'authentification",
    totp_hint: 'Six chiffres', recovery: 'Code de récupération', use_recovery: 'Utiliser un code de récupération',
    second_factor_needed: "Saisissez le code de votre application d'authentification.",
    no_account: "Pas encore membre ?", have_account: 'Déjà membre ?',
    join_title: 'Rejoindre le réseau de partenaires', company: 'Raison sociale', country: 'Pays',
    address1: 'Adresse', address2: "Complément d'adresse", postal_code: 'Code postal', city: 'Ville',
    vat_id: 'Numéro de TVA intracommunautaire', vat_hint: 'Par exemple FR40303265045. Facultatif hors de l\'UE.',
    language: 'Langue', admin_name: 'Votre nom', admin_email: 'Votre adresse e-mail',
    password_hint: 'Au moins 12 caractères.', join_submit: "S'inscrire maintenant",
    joined: 'Bienvenue ! Votre numéro d\'adhésion est {id}.',
    invitation_title: 'Rejoindre votre organisation', invitation_text: 'Choisissez le mot de passe de votre compte.',
    password_again: 'Confirmez le mot de passe', passwords_differ: 'Les deux mots de passe diffèrent.',
    invitation_done: 'Votre compte est prêt. Connectez-vous.',
    enrol_required: 'Votre organisation exige la validation en deux étapes : activez-la dans Mon compte.',
    // offers
    offers_intro: "Achetez ou renouvelez vos offres d'avantages : l'abonnement Microsoft Action Pack et les compétences Silver et Gold.",
    per_year: 'par an, hors taxes', benefits: 'Avantages inclus', buy: 'Acheter', renew: "Renouveler l'abonnement",
    manage_pmc: 'Renouveler dans le Partner Membership Center', see_subscription: "Voir l'abonnement",
    state_buy: 'Disponible', state_active: 'Actif', state_renew: 'À renouveler', state_pending_payment: 'Paiement en attente',
    state_manage_in_pmc: 'Géré dans le PMC', state_not_eligible: 'Non éligible',
    starts_on: 'Début', expires_on: 'Expiration', renewal_window: 'Renouvellement possible',
    window_from_to: 'du {from} au {to}', certified: 'Personnes certifiées',
    manage_certified: 'Gérer les personnes certifiées', no_buy_right: "Seuls l'administrateur général et l'administrateur de facturation peuvent acheter.",
    reason_renewal_not_open: 'Le renouvellement ouvre le {date}, le lendemain de l\'expiration.',
    reason_renewal_window_closed: 'La période de renouvellement est close : achetez de nouveau l\'offre.',
    reason_managed_in_pmc: 'Cet abonnement se renouvelle dans le Partner Membership Center.',
    reason_cancelled: 'Cet abonnement est annulé.', reason_pending_payment: 'Un paiement est en attente.',
    reason_prerequisites_not_met: 'Les conditions de l\'offre ne sont pas remplies.',
    reason_not_member: 'Réservé aux membres du réseau de partenaires.',
    // checkout
    checkout_buy: 'Acheter : {offer}', checkout_renew: 'Renouveler : {offer}',
    step_method: 'Mode de paiement', step_details: 'Informations de paiement', step_review: 'Vérifier la commande', step_done: 'Confirmation',
    pay_card: 'Carte de crédit', pay_card_hint: 'Débitée immédiatement.', pay_wire: 'Virement bancaire',
    pay_wire_hint: 'Nous émettons la facture avec les instructions de paiement ; à régler sous 14 jours.',
    pay_saved: 'Carte enregistrée {brand} se terminant par {last4}',
    card_number: 'Numéro de carte', card_exp_month: "Mois d'expiration", card_exp_year: "Année d'expiration",
    card_cvc: 'Cryptogramme (CVC)', card_holder: 'Titulaire de la carte',
    card_save: 'Enregistrer la carte pour le renouvellement automatique',
    wire_name: 'Nom du contact', wire_phone: 'Numéro de téléphone', wire_email: 'Adresse de messagerie',
    review_intro: 'Passez en revue les détails de votre commande, puis sélectionnez Acheter.',
    line: 'Article', quantity: 'Quantité', unit_price: 'Prix unitaire HT', amount: 'Montant HT',
    subtotal: 'Total HT', vat: 'TVA ({rate})', total: 'Total TTC', reverse_charge: 'Autoliquidation',
    paid_with: 'Paiement', card_ending: '{brand} se terminant par {last4}', wire: 'Virement bancaire',
    buy_now: 'Acheter', buying: 'Achat en cours…', card_charged_now: 'Votre carte sera débitée immédiatement.',
    confirmed: 'Votre commande est confirmée.', confirmed_card: 'Votre carte a été débitée. Votre abonnement court du {from} au {to}.',
    awaiting: 'Votre commande est enregistrée : elle sera confirmée à réception de votre virement.',
    pay_to: 'Instructions de paiement', iban: 'IBAN', bic: 'BIC', reference: 'Référence à indiquer', due_on: 'À payer avant le',
    download_invoice: 'Télécharger la facture', payment_failed: 'Le paiement a échoué : {why}. Essayez une autre carte ou le virement.',
    payment_unknown: "La banque n'a pas encore répondu. Ne payez pas une seconde fois : nous vérifions ce paiement et vous écrirons dès qu'il sera confirmé. Vous pouvez aussi le vérifier maintenant.",
    auto_renew_info: 'Votre abonnement sera renouvelé automatiquement chaque année à cette date.',
    // bought
    bought_intro: 'Vos abonnements et compétences achetés.', none_bought: "Vous n'avez encore rien acheté.",
    status: 'Statut', sub_pending_payment: 'Paiement en attente', sub_active: 'Actif', sub_renewal_window: 'Période de renouvellement',
    sub_lapsed: 'Expiré', sub_cancelled: 'Annulé', auto_renew: 'Renouvellement automatique',
    auto_renew_on: 'Activé', auto_renew_off: 'Désactivé',
    auto_renew_locked: "Vous ne pourrez pas réactiver le renouvellement automatique avant d'avoir renouvelé l'abonnement.",
    auto_renew_off_title: 'Désactiver le renouvellement automatique ?',
    auto_renew_off_text: "Vous ne pourrez pas le réactiver avant d'avoir renouvelé l'abonnement. Nous vous rappellerons de le renouveler avant son expiration.",
    auto_renew_off_ok: 'Désactiver le renouvellement automatique', auto_renew_now_off: 'Le renouvellement automatique est désactivé.',
    auto_renew_now_on: 'Le renouvellement automatique est activé.',
    cancel_sub: "Annuler l'abonnement", cancel_title: "Annuler l'abonnement ?",
    cancel_text: "L'annulation passe par une demande de support, préremplie pour vous. L'équipe de support de l'Espace partenaires vous contactera.",
    cancel_ok: 'Créer la demande', cancel_done: "Votre demande d'annulation {number} est ouverte.",
    benefits_suspended: 'Avantages suspendus jusqu\'au renouvellement.', cancelled_on: 'Annulé le {date}',
    cancelled_from: 'Annulé à compter du {date}',
    pmc_managed: 'Géré dans le Partner Membership Center', open_pmc: 'Ouvrir le Partner Membership Center',
    // invoices
    invoices_intro: 'Vos factures et avoirs, à télécharger en PDF.', no_invoices: 'Aucune facture pour le moment.',
    number: 'Numéro', type: 'Type', issued_on: 'Date', invoice: 'Facture', credit_note: 'Avoir', pdf: 'PDF',
    // support
    support_intro: "Suivez vos demandes de service, ou ouvrez-en une nouvelle.", new_request: 'Nouvelle demande',
    filter_status: 'Statut', all: 'Toutes', req_open: 'Ouverte', req_in_progress: 'En cours de traitement',
    req_resolved: 'Résolue', req_closed: 'Fermée', filter_open: 'Ouvrir', title: 'Titre', category: 'Catégorie',
    problem_type: 'Type de problème', description: 'Description', subscription: 'Abonnement concerné',
    none: 'Aucun', created: 'Créée le', no_requests: 'Aucune demande.', request: 'Demande {number}',
    messages: 'Échanges', reply: 'Répondre', your_message: 'Votre message', reply_sent: 'Message envoyé.',
    attachments: 'Pièces jointes', attach: 'Joindre un fichier', attach_hint: 'PDF, PNG, JPEG, CSV ou TXT, 10 Mo au plus.',
    attached: 'Fichier joint.', reopen: 'Rouvrir la demande', reopened: 'Demande rouverte.', from_staff: 'Support',
    from_partner: 'Partenaire', request_sent: 'Votre demande {number} est envoyée.', closed_request: 'Cette demande est fermée.',
    cancellation_request: "Demande d'annulation", resolution: 'Résolution',
    // users
    users_intro: 'Les personnes de votre organisation et leurs rôles.', name: 'Nom', roles: 'Rôles', state: 'État',
    invite: 'Inviter un utilisateur', invite_submit: "Envoyer l'invitation", invited: 'Invitation envoyée à {email}.',
    invitation_link: "Si l'e-mail n'arrive pas, transmettez ce lien (valable 7 jours) :",
    role_global_admin: 'Administrateur général', role_account_admin: 'Administrateur de compte',
    role_billing_admin: 'Administrateur de facturation', role_user: 'Utilisateur (lecture seule)',
    role_support: 'Support', role_finance: 'Finance', role_operator: 'Opérateur',
    role_hint_global_admin: 'tout, dont les utilisateurs', role_hint_account_admin: 'adhésion, offres, support',
    role_hint_billing_admin: 'achats, renouvellements, moyens de paiement, factures', role_hint_user: 'consultation',
    edit_roles: 'Modifier les rôles', remove_user: 'Retirer', remove_title: 'Retirer {name} ?',
    remove_text: 'Ses sessions et jetons prennent fin immédiatement.', roles_saved: 'Rôles enregistrés.',
    user_removed: 'Utilisateur retiré.', active: 'Actif', invited_state: 'Invité', two_factor: 'Validation en deux étapes',
    // profile and account
    membership_id: "Numéro d'adhésion", currency: 'Devise', require_2fa: 'Exiger la validation en deux étapes pour toute l\'organisation',
    saved: 'Enregistré.', certified_intro: 'Les compétences Silver et Gold exigent 2 et 4 personnes certifiées.',
    certification: 'Certification', add_person: 'Ajouter', person_added: 'Personne ajoutée.', person_removed: 'Personne retirée.',
    payment_method: 'Carte pour le renouvellement automatique', no_card: 'Aucune carte enregistrée.',
    replace_card: 'Remplacer la carte', card_saved: 'Carte enregistrée.',
    change_password: 'Changer de mot de passe', current_password: 'Mot de passe actuel', new_password: 'Nouveau mot de passe',
    password_changed: 'Mot de passe changé ; vos autres sessions sont fermées.',
    totp_enable: 'Activer la validation en deux étapes', totp_scan: 'Ajoutez ce compte à votre application d\'authentification avec cette clé :',
    totp_confirm: 'Confirmer', recovery_codes: 'Codes de récupération : gardez-les en lieu sûr, chacun ne sert qu\'une fois.',
    totp_on: 'La validation en deux étapes est activée.', totp_disable: 'Désactiver la validation en deux étapes',
    totp_off: 'La validation en deux étapes est désactivée.',
    // console
    console_intro: 'Le programme en un coup d\'œil.', renewals_due: 'Renouvellements à venir (12 semaines)',
    automatic: 'Automatiques', manual: 'Manuels', week_of: 'Semaine du', revenue: 'Chiffre d\'affaires facturé par mois, hors TVA (net des avoirs)',
    month: 'Mois', partners_count: 'Partenaires', awaiting_count: 'Virements attendus', open_requests: 'Demandes ouvertes',
    refunds_to_pay: 'Remboursements à payer', chart_table: 'Voir les chiffres',
    legal_name: 'Raison sociale', joined_on: 'Inscrit le',
    awaiting_title: 'Commandes en attente de virement', record_transfer: 'Enregistrer un virement reçu',
    received_on: 'Reçu le', amount_major: 'Montant', reference_short: 'Référence',
    no_awaiting: 'Aucune commande n\'attend de virement.', no_unmatched: 'Aucun virement à examiner.', no_refunds: 'Aucun remboursement.',
    no_deliveries: 'Aucun envoi.', no_partners: 'Aucun partenaire.', record: 'Enregistrer', recorded: 'Virement enregistré : {status}.',
    import_statement: 'Importer un relevé bancaire', statement_file: 'Relevé (CSV : date,amount,currency,reference)',
    import: 'Importer', imported: '{n} virement(s), {m} rapproché(s).', unmatched: 'Virements à examiner',
    order: 'Commande', offer: 'Offre', partner: 'Partenaire', refunds: 'Remboursements', method: 'Mode',
    paid_on: 'Payé le', mark_paid: 'Marquer payé', refund_paid: 'Remboursement marqué payé.', wire_status: 'Rapprochement',
    ws_matched: 'Rapproché', ws_partial: 'Partiel', ws_excess: 'Excédent', ws_unknown_reference: 'Référence inconnue',
    ws_not_awaiting: 'Commande non attendue', ws_currency_mismatch: 'Devise différente',
    rf_pending: 'En cours (carte)', rf_refunded: 'Remboursé (carte)', rf_to_pay: 'À payer (virement)', rf_paid: 'Payé (virement)',
    queue_intro: 'Les demandes de tous les partenaires.', assignee: 'Assignée à', anyone: 'Tout le monde', me: 'Moi',
    assign_me: "M'assigner la demande", assigned: 'Demande assignée.', set_status: 'Changer le statut', status_set: 'Statut changé.',
    resolve_cancellation: "Traiter l'annulation", cancel_now: 'Annuler maintenant', cancel_end: 'Annuler à la fin de la période',
    refund_prorata: 'Rembourser au prorata les jours non utilisés', resolution_message: 'Message au partenaire',
    resolve: 'Résoudre', resolved: 'Annulation traitée : effective le {date}.', refund_amount: 'Remboursement : {amount} ({method}).',
    deliveries_intro: 'Les e-mails et webhooks envoyés aux partenaires.', kind: 'Type', recipient: 'Destinataire',
    attempts: 'Tentatives', last_error: 'Dernière erreur', event: 'Événement', d_pending: 'En attente', d_sending: 'En cours',
    d_sent: 'Envoyé', d_delivered: 'Livré', d_failed: 'Échec',
    clock_intro: "L'horloge métier de tous les serveurs, réglable en mode test.", business_now: 'Maintenant (métier)',
    today: "Aujourd'hui", pinned: 'Horloge figée', real_time: "Revenir à l'heure réelle", set_clock: "Régler l'horloge",
    clock_utc: 'Date et heure (UTC)', clock_set: 'Horloge réglée : {date}.', run_jobs: 'Lancer les tâches maintenant',
    jobs_done: 'Tâches exécutées.', job: 'Tâche', done: 'Traités', ok: 'OK',
    res_immediate: 'annulé immédiatement', res_immediate_with_refund: 'annulé immédiatement, avec remboursement au prorata',
    res_end_of_term: 'annulé à la fin de la période en cours',
    // ---- the portal (issue 17) ----
    menu: 'Menu', nav_pmc: 'Migration depuis le PMC', see_order: 'Voir la commande',
    certified_of: '{n} sur les {need} requises', certified_enough: '{n} (au moins {need} requises)',
    reason_window_closed_lead: 'La période de renouvellement est close :', buy_again: "achetez de nouveau l'offre",
    sub_ended: "L'abonnement a pris fin : il n'y a plus rien à renouveler automatiquement.",
    sub_lapsed_on: "Cet abonnement a pris fin : sa période de renouvellement s'est terminée le {date}. Ses avantages ne sont plus disponibles.",
    payment_checking: 'Paiement par carte en cours de vérification auprès de la banque : vous n\'avez rien à refaire.',
    sub_pending_text: 'Commande en attente de paiement.',
    cancel_title_of: "Annuler l'abonnement : {offer}",
    cancel_description_hint: "Dites-nous pourquoi vous annulez, et s'il faut annuler tout de suite ou à la fin de la période.",
    cancel_steps_intro: "Pour annuler {offer}, envoyez cette demande au support de l'Espace partenaires. Le type de problème est déjà choisi : « Aide concernant une facture, un paiement ou un fichier de rapprochement de partenaire ».",
    cancel_steps_finish: "Finissez d'indiquer les informations requises, puis sélectionnez Envoyer. L'équipe de support vous contactera pour vous aider à annuler votre abonnement.",
    required: 'obligatoire', other_method: 'Choisir un autre mode de paiement', back_to_offers: "Retour aux offres d'adhésion",
    check_again: 'Vérifier le paiement maintenant',
    inv_paid_on: 'Payée le {date}', inv_paid: 'Payée', inv_due: 'À payer avant le {date}', inv_cancelled: 'Annulée (avoir émis)',
    download_credit_note: "Télécharger l'avoir", add_card: 'Ajouter une carte', today_is: "Aujourd'hui : {date}",
    wire_contact: 'Contact pour le virement',
    wt_action: 'Décision', wt_allocate: 'Affecter à une commande', wt_refund: "Rembourser à l'émetteur", wt_dismiss: 'Classer avec un motif',
    wt_note: 'Motif ou référence', wt_note_hint: 'Obligatoire pour classer ; la référence bancaire du remboursement sinon.',
    wt_resolve: 'Traiter', wt_done_allocated: 'Virement affecté à la commande.', wt_done_refunded: 'Remboursement enregistré.',
    wt_done_dismissed: 'Virement classé.', wt_order_confirmed: 'La commande est payée et confirmée.',
    wt_unknown_partner: 'Inconnu', wt_resolved_title: 'Virements traités',
    wt_allocated: 'Affecté', wt_refunded: 'Remboursé', wt_dismissed: 'Classé',
    will_take_effect: "L'annulation prendra effet le {date}.", will_refund: 'Remboursement : {amount} TTC, {method}.',
    refund_to_card: 'sur la carte qui a payé', refund_by_wire: 'par virement (à payer par la finance)',
    nothing_to_refund: 'Rien à rembourser : cet abonnement n\'a pas été payé ici.', no_refund: 'Aucun remboursement.',
    refund_preview: 'Au prorata aujourd\'hui : {amount} TTC.',
    pp_subscriptions: 'Abonnements', pp_managed_in: 'Géré dans', pp_orders: 'Commandes', pp_action: 'Opération',
    pp_purchase: 'Achat', pp_renewal: 'Renouvellement', pp_no_orders: 'Aucune commande.', pp_requests: 'Demandes de support',
    pp_audit: "Journal d'audit", pp_event: 'Événement', pp_object: 'Objet',
    os_review: 'En préparation', os_processing: 'Paiement en cours', os_payment_unknown: 'Paiement à vérifier', os_failed: 'Échec du paiement',
    os_awaiting_payment: 'Virement attendu', os_confirmed: 'Confirmée', os_cancelled: 'Annulée',
    pmc_intro: "Les abonnements encore gérés dans le Partner Membership Center, et leur passage dans l'Espace partenaires.",
    pmc_still: 'Encore gérés dans le PMC', pmc_none: 'Plus aucun abonnement dans le PMC.', pmc_migrate: "Passer dans l'Espace partenaires",
    pmc_migrate_all: 'Tout passer dans l\'Espace partenaires', pmc_migrate_all_title: 'Passer {n} abonnement(s) dans l\'Espace partenaires ?',
    pmc_migrate_all_text: "Leur renouvellement se fera désormais ici ; chaque partenaire le verra sur sa page d'offres.",
    pmc_migrated: '{n} abonnement(s) passé(s) dans l\'Espace partenaires.', pmc_migrated_one: "Abonnement de {name} passé dans l'Espace partenaires.",
    pmc_operator_only: 'Seul un opérateur peut les faire passer.',
  },
  en: {
    app: 'Partner Center', console: 'Program console', skip: 'Skip to content',
    other_lang: 'Français', other_lang_code: 'fr', sign_out: 'Sign out', sign_in: 'Sign in',
    join: 'Join the network', optional: 'optional', loading: 'Loading…', back: 'Back',
    save: 'Save', cancel: 'Cancel', close: 'Close', send: 'Submit', next: 'Next', yes: 'Yes', no: 'No',
    error_generic: 'Something went wrong. Try again in a moment.',
    not_found: 'Page not found', not_found_text: 'This page does not exist or you may not see it.',
    forbidden: 'You do not have access to this page.',
    nav_partner: 'Partner Center navigation', nav_offers: 'Membership offers', nav_bought: 'Purchased',
    nav_invoices: 'Invoices', nav_support: 'Partner Center requests', nav_users: 'Users and permissions',
    nav_profile: 'Company profile', nav_account: 'My account', group_membership: 'Membership', group_help: 'Support',
    group_org: 'Organisation', nav_console: 'Console navigation', nav_dashboard: 'Dashboard',
    nav_partners: 'Partners', nav_payments: 'Wire transfers and refunds', nav_queue: 'Support requests',
    nav_deliveries: 'Emails and webhooks', nav_clock: 'Test clock',
    email: 'Email address', password: 'Password', totp: 'Authenticator app code',
    totp_hint: 'Six digits', recovery: 'Recovery code', use_recovery: 'Use a recovery code',
    second_factor_needed: 'Enter the code from your authenticator app.',
    no_account: 'Not a member yet?', have_account: 'Already a member?',
    join_title: 'Join the partner network', company: 'Legal name', country: 'Country',
    address1: 'Address', address2: 'Address line 2', postal_code: 'Postal code', city: 'City',
    vat_id: 'VAT ID', vat_hint: 'For example FR40303265045. Optional outside the EU.',
    language: 'Language', admin_name: 'Your name', admin_email: 'Your email address',
    password_hint: 'At least 12 characters.', join_submit: 'Sign up now',
    joined: 'Welcome! Your membership ID is {id}.',
    invitation_title: 'Join your organisation', invitation_text: 'Choose the password of your account.',
    password_again: 'Confirm the password', passwords_differ: 'The two passwords differ.',
    invitation_done: 'Your account is ready. Sign in.',
    enrol_required: 'Your organisation requires two-step verification: turn it on in My account.',
    offers_intro: 'Buy or renew your benefit offers: the Microsoft Action Pack subscription and the Silver and Gold competencies.',
    per_year: 'a year, before tax', benefits: 'Included benefits', buy: 'Buy', renew: 'Renew subscription',
    manage_pmc: 'Renew in Partner Membership Center', see_subscription: 'See the subscription',
    state_buy: 'Available', state_active: 'Active', state_renew: 'To renew', state_pending_payment: 'Payment pending',
    state_manage_in_pmc: 'Managed in PMC', state_not_eligible: 'Not eligible',
    starts_on: 'Start', expires_on: 'Expiry', renewal_window: 'Renewal possible',
    window_from_to: 'from {from} to {to}', certified: 'Certified people',
    manage_certified: 'Manage certified people', no_buy_right: 'Only the global admin and the billing admin can buy.',
    reason_renewal_not_open: 'Renewal opens on {date}, the day after expiry.',
    reason_renewal_window_closed: 'The renewal window has closed: buy the offer again.',
    reason_managed_in_pmc: 'This subscription renews in Partner Membership Center.',
    reason_cancelled: 'This subscription is cancelled.', reason_pending_payment: 'A payment is pending.',
    reason_prerequisites_not_met: 'The offer\'s requirements are not met.',
    reason_not_member: 'For members of the partner network only.',
    checkout_buy: 'Buy: {offer}', checkout_renew: 'Renew: {offer}',
    step_method: 'Payment method', step_details: 'Payment details', step_review: 'Review the order', step_done: 'Confirmation',
    pay_card: 'Credit card', pay_card_hint: 'Charged at once.', pay_wire: 'Wire transfer',
    pay_wire_hint: 'We issue the invoice with the payment instructions; payable within 14 days.',
    pay_saved: 'Saved {brand} card ending in {last4}',
    card_number: 'Card number', card_exp_month: 'Expiry month', card_exp_year: 'Expiry year',
    card_cvc: 'Security code (CVC)', card_holder: 'Cardholder name',
    card_save: 'Keep the card for automatic renewal',
    wire_name: 'Contact name', wire_phone: 'Phone number', wire_email: 'Email address',
    review_intro: 'Review the details of your order, then select Buy.',
    line: 'Item', quantity: 'Quantity', unit_price: 'Unit price before tax', amount: 'Amount before tax',
    subtotal: 'Total before tax', vat: 'VAT ({rate})', total: 'Total', reverse_charge: 'Reverse charge',
    paid_with: 'Payment', card_ending: '{brand} ending in {last4}', wire: 'Wire transfer',
    buy_now: 'Buy', buying: 'Buying…', card_charged_now: 'Your card is charged at once.',
    confirmed: 'Your order is confirmed.', confirmed_card: 'Your card was charged. Your subscription runs from {from} to {to}.',
    awaiting: 'Your order is placed: it is confirmed when your transfer arrives.',
    pay_to: 'Payment instructions', iban: 'IBAN', bic: 'BIC', reference: 'Reference to quote', due_on: 'Pay by',
    download_invoice: 'Download invoice', payment_failed: 'The payment failed: {why}. Try another card or a wire transfer.',
    payment_unknown: 'The bank has not answered yet. Do not pay a second time: we are checking this payment and will email you once it is confirmed. You can also check it now.',
    auto_renew_info: 'Your subscription renews automatically every year on this date.',
    bought_intro: 'Your purchased subscriptions and competencies.', none_bought: 'You have not bought anything yet.',
    status: 'Status', sub_pending_payment: 'Payment pending', sub_active: 'Active', sub_renewal_window: 'Renewal window',
    sub_lapsed: 'Lapsed', sub_cancelled: 'Cancelled', auto_renew: 'Automatic renewal',
    auto_renew_on: 'On', auto_renew_off: 'Off',
    auto_renew_locked: 'You cannot turn automatic renewal back on until you have renewed the subscription.',
    auto_renew_off_title: 'Turn automatic renewal off?',
    auto_renew_off_text: 'You cannot turn it back on until you have renewed the subscription. We will remind you to renew before it expires.',
    auto_renew_off_ok: 'Turn automatic renewal off', auto_renew_now_off: 'Automatic renewal is off.',
    auto_renew_now_on: 'Automatic renewal is on.',
    cancel_sub: 'Cancel subscription', cancel_title: 'Cancel the subscription?',
    cancel_text: 'Cancelling goes through a support request, filled in for you. The Partner Center support team will contact you.',
    cancel_ok: 'Open the request', cancel_done: 'Your cancellation request {number} is open.',
    benefits_suspended: 'Benefits suspended until renewal.', cancelled_on: 'Cancelled on {date}',
    cancelled_from: 'Cancelled from {date}',
    pmc_managed: 'Managed in Partner Membership Center', open_pmc: 'Open Partner Membership Center',
    invoices_intro: 'Your invoices and credit notes, as PDF.', no_invoices: 'No invoice yet.',
    number: 'Number', type: 'Type', issued_on: 'Date', invoice: 'Invoice', credit_note: 'Credit note', pdf: 'PDF',
    support_intro: 'Follow your service requests, or open a new one.', new_request: 'New request',
    filter_status: 'Status', all: 'All', req_open: 'Open', req_in_progress: 'In progress',
    req_resolved: 'Resolved', req_closed: 'Closed', filter_open: 'Open', title: 'Title', category: 'Category',
    problem_type: 'Problem type', description: 'Description', subscription: 'Subscription concerned',
    none: 'None', created: 'Opened on', no_requests: 'No request.', request: 'Request {number}',
    messages: 'Messages', reply: 'Reply', your_message: 'Your message', reply_sent: 'Message sent.',
    attachments: 'Attachments', attach: 'Attach a file', attach_hint: 'PDF, PNG, JPEG, CSV or TXT, at most 10 MB.',
    attached: 'File attached.', reopen: 'Reopen the request', reopened: 'Request reopened.', from_staff: 'Support',
    from_partner: 'Partner', request_sent: 'Your request {number} was sent.', closed_request: 'This request is closed.',
    cancellation_request: 'Cancellation request', resolution: 'Resolution',
    users_intro: 'The people of your organisation and their roles.', name: 'Name', roles: 'Roles', state: 'State',
    invite: 'Invite a user', invite_submit: 'Send the invitation', invited: 'Invitation sent to {email}.',
    invitation_link: 'If the email does not arrive, pass on this link (valid 7 days):',
    role_global_admin: 'Global admin', role_account_admin: 'Account admin',
    role_billing_admin: 'Billing admin', role_user: 'User (read only)',
    role_support: 'Support', role_finance: 'Finance', role_operator: 'Operator',
    role_hint_global_admin: 'everything, users included', role_hint_account_admin: 'membership, offers, support',
    role_hint_billing_admin: 'purchases, renewals, payment methods, invoices', role_hint_user: 'read only',
    edit_roles: 'Change roles', remove_user: 'Remove', remove_title: 'Remove {name}?',
    remove_text: 'Their sessions and tokens end at once.', roles_saved: 'Roles saved.',
    user_removed: 'User removed.', active: 'Active', invited_state: 'Invited', two_factor: 'Two-step verification',
    membership_id: 'Membership ID', currency: 'Currency', require_2fa: 'Require two-step verification for the whole organisation',
    saved: 'Saved.', certified_intro: 'The Silver and Gold competencies need 2 and 4 certified people.',
    certification: 'Certification', add_person: 'Add', person_added: 'Person added.', person_removed: 'Person removed.',
    payment_method: 'Card for automatic renewal', no_card: 'No card kept.',
    replace_card: 'Replace the card', card_saved: 'Card saved.',
    change_password: 'Change password', current_password: 'Current password', new_password: 'New password',
    password_changed: 'Password changed; your other sessions have ended.',
    totp_enable: 'Turn on two-step verification', totp_scan: 'Add this account to your authenticator app with this key:',
    totp_confirm: 'Confirm', recovery_codes: 'Recovery codes: keep them safe, each works once.',
    totp_on: 'Two-step verification is on.', totp_disable: 'Turn off two-step verification',
    totp_off: 'Two-step verification is off.',
    console_intro: 'The program at a glance.', renewals_due: 'Renewals due (12 weeks)',
    automatic: 'Automatic', manual: 'Manual', week_of: 'Week of', revenue: 'Invoiced per month, excluding VAT (net of credit notes)',
    month: 'Month', partners_count: 'Partners', awaiting_count: 'Transfers awaited', open_requests: 'Open requests',
    refunds_to_pay: 'Refunds to pay', chart_table: 'See the figures',
    legal_name: 'Legal name', joined_on: 'Joined on',
    awaiting_title: 'Orders awaiting a wire transfer', record_transfer: 'Record a received transfer',
    received_on: 'Received on', amount_major: 'Amount', reference_short: 'Reference',
    no_awaiting: 'No order awaits a transfer.', no_unmatched: 'No transfer to review.', no_refunds: 'No refund.',
    no_deliveries: 'Nothing sent.', no_partners: 'No partner.', record: 'Record', recorded: 'Transfer recorded: {status}.',
    import_statement: 'Import a bank statement', statement_file: 'Statement (CSV: date,amount,currency,reference)',
    import: 'Import', imported: '{n} transfer(s), {m} matched.', unmatched: 'Transfers to review',
    order: 'Order', offer: 'Offer', partner: 'Partner', refunds: 'Refunds', method: 'Method',
    paid_on: 'Paid on', mark_paid: 'Mark paid', refund_paid: 'Refund marked paid.', wire_status: 'Matching',
    ws_matched: 'Matched', ws_partial: 'Partial', ws_excess: 'Excess', ws_unknown_reference: 'Unknown reference',
    ws_not_awaiting: 'Order not awaited', ws_currency_mismatch: 'Other currency',
    rf_pending: 'Pending (card)', rf_refunded: 'Refunded (card)', rf_to_pay: 'To pay (transfer)', rf_paid: 'Paid (transfer)',
    queue_intro: 'Every partner\'s requests.', assignee: 'Assigned to', anyone: 'Anyone', me: 'Me',
    assign_me: 'Assign to me', assigned: 'Request assigned.', set_status: 'Change status', status_set: 'Status changed.',
    resolve_cancellation: 'Resolve the cancellation', cancel_now: 'Cancel now', cancel_end: 'Cancel at the end of the term',
    refund_prorata: 'Refund the unused days, prorated', resolution_message: 'Message to the partner',
    resolve: 'Resolve', resolved: 'Cancellation resolved: effective on {date}.', refund_amount: 'Refund: {amount} ({method}).',
    deliveries_intro: 'Emails and webhooks sent to partners.', kind: 'Kind', recipient: 'Recipient',
    attempts: 'Attempts', last_error: 'Last error', event: 'Event', d_pending: 'Pending', d_sending: 'Sending',
    d_sent: 'Sent', d_delivered: 'Delivered', d_failed: 'Failed',
    clock_intro: 'The business clock of every server, which test mode lets you set.', business_now: 'Now (business)',
    today: 'Today', pinned: 'Clock pinned', real_time: 'Back to real time', set_clock: 'Set the clock',
    clock_utc: 'Date and time (UTC)', clock_set: 'Clock set: {date}.', run_jobs: 'Run the jobs now',
    jobs_done: 'Jobs run.', job: 'Job', done: 'Done', ok: 'OK',
    res_immediate: 'cancelled at once', res_immediate_with_refund: 'cancelled at once, with a prorated refund',
    res_end_of_term: 'cancelled at the end of the current term',
    // ---- the portal (issue 17) ----
    menu: 'Menu', nav_pmc: 'Move from the PMC', see_order: 'See the order',
    certified_of: '{n} of the {need} required', certified_enough: '{n} (at least {need} required)',
    reason_window_closed_lead: 'The renewal window has closed:', buy_again: 'buy the offer again',
    sub_ended: 'The subscription has ended: there is nothing left to renew automatically.',
    sub_lapsed_on: 'This subscription has ended: its renewal window closed on {date}. Its benefits are no longer available.',
    payment_checking: 'Card payment being checked with the bank: there is nothing to do again.',
    sub_pending_text: 'Order awaiting payment.',
    cancel_title_of: 'Cancel subscription: {offer}',
    cancel_description_hint: 'Tell us why you cancel, and whether it should end now or at the end of the term.',
    cancel_steps_intro: 'To cancel {offer}, send this request to Partner Center support. The problem type is already chosen: "Help with a partner invoice, payment or reconciliation file".',
    cancel_steps_finish: 'Finish filling in the required information, then select Send. The support team will contact you to help you cancel your subscription.',
    required: 'required', other_method: 'Choose another payment method', back_to_offers: 'Back to membership offers',
    check_again: 'Check the payment now',
    inv_paid_on: 'Paid on {date}', inv_paid: 'Paid', inv_due: 'Due by {date}', inv_cancelled: 'Cancelled (credit note issued)',
    download_credit_note: 'Download the credit note', add_card: 'Add a card', today_is: 'Today: {date}',
    wire_contact: 'Contact for the transfer',
    wt_action: 'Decision', wt_allocate: 'Allocate to an order', wt_refund: 'Refund the sender', wt_dismiss: 'Dismiss with a reason',
    wt_note: 'Reason or reference', wt_note_hint: "Required to dismiss; otherwise the refund's bank reference.",
    wt_resolve: 'Resolve', wt_done_allocated: 'Transfer allocated to the order.', wt_done_refunded: 'Refund recorded.',
    wt_done_dismissed: 'Transfer dismissed.', wt_order_confirmed: 'The order is paid and confirmed.',
    wt_unknown_partner: 'Unknown', wt_resolved_title: 'Resolved transfers',
    wt_allocated: 'Allocated', wt_refunded: 'Refunded', wt_dismissed: 'Dismissed',
    will_take_effect: 'The cancellation takes effect on {date}.', will_refund: 'Refund: {amount} including VAT, {method}.',
    refund_to_card: 'to the card that paid', refund_by_wire: 'by transfer (paid by finance)',
    nothing_to_refund: 'Nothing to refund: this subscription was not paid here.', no_refund: 'No refund.',
    refund_preview: 'Prorated today: {amount} including VAT.',
    pp_subscriptions: 'Subscriptions', pp_managed_in: 'Managed in', pp_orders: 'Orders', pp_action: 'Operation',
    pp_purchase: 'Purchase', pp_renewal: 'Renewal', pp_no_orders: 'No order.', pp_requests: 'Support requests',
    pp_audit: 'Audit log', pp_event: 'Event', pp_object: 'Object',
    os_review: 'Being prepared', os_processing: 'Payment in progress', os_payment_unknown: 'Payment to check', os_failed: 'Payment failed',
    os_awaiting_payment: 'Transfer awaited', os_confirmed: 'Confirmed', os_cancelled: 'Cancelled',
    pmc_intro: 'Subscriptions still managed in the Partner Membership Center, and their move to Partner Center.',
    pmc_still: 'Still managed in the PMC', pmc_none: 'No subscription left in the PMC.', pmc_migrate: 'Move to Partner Center',
    pmc_migrate_all: 'Move all to Partner Center', pmc_migrate_all_title: 'Move {n} subscription(s) to Partner Center?',
    pmc_migrate_all_text: 'They will renew here from now on; each partner sees it on its offers page.',
    pmc_migrated: '{n} subscription(s) moved to Partner Center.', pmc_migrated_one: "{name}'s subscription moved to Partner Center.",
    pmc_operator_only: 'Only an operator can move them.',
  },
};

/** The phrase of key in the current language, with {name} replaced from vars. */
export function t(key, vars = {}) {
  const s = words[current][key] ?? words.fr[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? `{${k}}`));
}

const locale = () => (current === 'fr' ? 'fr-FR' : 'en-GB');

/** A civil date (YYYY-MM-DD) written out: « 22 juin 2027 » / "22 June 2027". */
export function date(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant (RFC 3339) in the reader's time zone, to the minute. */
export function instant(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A month (YYYY-MM), short: « juin 27 ». */
export function month(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** A civil date as day and month in figures: « 28/06 ». */
export function dayMonth(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** Minor units of a currency, formatted: the API's own text when it sent one. With
 * whole, without decimals (an axis). */
export function money(m, currency, { whole = false } = {}) {
  if (m && typeof m === 'object') return m.formatted || money(m.amount_minor, m.currency);
  const f = new Intl.NumberFormat(locale(), { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits;
  if (whole) return new Intl.NumberFormat(locale(), { style: 'currency', currency, maximumFractionDigits: 0 }).format(m / 10 ** digits);
  return f.format(m / 10 ** digits);
}

/** The decimals of a currency (EUR 2, JPY 0, KWD 3). */
export const currencyDigits = (currency) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;

/** A country's name in the current language (« France »), from its ISO code. */
export function countryName(code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
}

/** An instant in a named time zone (the business clock's, not the browser's). */
export function instantIn(iso, timeZone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** A rate in basis points (2000) as a percentage: « 20 % ». */
export const rate = (bp) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);
